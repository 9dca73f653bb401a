# One property, a few as a list, a few as an object
az disk show -g rg-docs -n data-disk --query name
az disk show -g rg-docs -n data-disk --query "[name, diskSizeGB]"
az disk show -g rg-docs -n data-disk --query "{Name:name, SizeGB:diskSizeGB, Sku:sku.name}"

# Filter and project arrays
az disk list -g rg-docs --query "[?diskSizeGB > \`40\`].name" -o tsv
az snapshot list -g rg-docs --query "[?incremental].{Name:name, Source:creationData.sourceResourceId}" -o table
az snapshot list -g rg-docs --query "length([?incremental == \`false\`])"

# Functions: sort, max, contains
az disk list -g rg-docs --query "sort_by([], &diskSizeGB)[].name" -o tsv
az disk list -g rg-docs --query "max_by([], &diskSizeGB).name" -o tsv
az disk list -g rg-docs --query "[?contains(name, 'logs')].sku.name" -o tsv

# A query used in a script
biggest=$(az disk list -g rg-docs --query "max_by([], &diskSizeGB).name" -o tsv)
echo "largest disk: $biggest"
