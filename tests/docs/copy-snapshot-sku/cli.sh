resourceGroupName="rg-docs"
snapshotName="data-disk-snap"
targetSnapshotName="data-disk-snap-zrs"

# The snapshot to copy, in the same region: its ID and its storage type
sourceSnapshotId=$(az snapshot show --name $snapshotName --resource-group $resourceGroupName --query [id] -o tsv)
az snapshot show --name $snapshotName --resource-group $resourceGroupName --query "{name:name, sku:sku.name}" -o json

# A copy stored on zone-redundant storage
az snapshot create --resource-group $resourceGroupName --name $targetSnapshotName --source $sourceSnapshotId --sku Standard_ZRS --query "{name:name, sku:sku.name, createOption:creationData.createOption}"

# Both, side by side
az snapshot list --resource-group $resourceGroupName --query "[].{Name:name, Sku:sku.name, SizeGb:diskSizeGB}" -o table
