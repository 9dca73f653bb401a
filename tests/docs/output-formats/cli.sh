az disk show -g rg-docs -n data-disk --query "{name:name, sizeGb:diskSizeGB, sku:sku.name, encrypted:encryption.type}" --output json
az disk show -g rg-docs -n data-disk --query "{name:name, sizeGb:diskSizeGB, sku:sku.name}" --output yaml
az disk list -g rg-docs --output table
az disk list -g rg-docs --query "[].{Name:name, Size:diskSizeGB}" --output table
az disk list -g rg-docs --query "[].[name, diskSizeGB, sku.tier]" --output tsv
az disk show -g rg-docs -n data-disk --output none
echo "none printed nothing: $?"
