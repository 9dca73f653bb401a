az disk list -g rg-docs --query '[*].{Name:name,Gb:diskSizeGB,Tier:accountType}' --output table

az disk update --resource-group rg-docs --name data-disk --size-gb 200 -o none
az disk show --resource-group rg-docs --name data-disk --query diskSizeGB -o tsv

# Disks only grow
az disk update --resource-group rg-docs --name data-disk --size-gb 100
