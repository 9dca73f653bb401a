# The page's variables, filled in
subscriptionId=$(az account show --query id -o tsv)
resourceGroupName="rg-docs"
snapshotName="data-disk-snap"
diskName="data-disk-restored"
diskSize=256
storageType="Premium_LRS"

az account set --subscription $subscriptionId

# The ID of the snapshot to restore
snapshotId=$(az snapshot show --name $snapshotName --resource-group $resourceGroupName --query [id] -o tsv)

# A new managed disk from it, larger than the snapshot
az disk create --resource-group $resourceGroupName --name $diskName --sku $storageType --size-gb $diskSize --source $snapshotId --query "{name:name, sizeGb:diskSizeGB, sku:sku.name, createOption:creationData.createOption, state:diskState}"

# The restored disk remembers where it came from
az disk show --resource-group $resourceGroupName --name $diskName --query "creationData.sourceResourceId == '$snapshotId'"

# Without --size-gb it takes the snapshot's size
az disk create --resource-group $resourceGroupName --name "$diskName-2" --source $snapshotName --sku StandardSSD_LRS -o none
az disk list --resource-group $resourceGroupName --query "[].{Name:name, SizeGb:diskSizeGB, Sku:sku.name}" -o table
