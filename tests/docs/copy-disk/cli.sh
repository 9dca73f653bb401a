# The source: its subscription, resource group and managed disk
sourceSubscriptionId=$(az account show --query id -o tsv)
sourceResourceGroupName="rg-docs"
managedDiskName="data-disk"

az account set --subscription $sourceSubscriptionId

# The managed disk's ID (empty if there is no such disk)
managedDiskId=$(az disk show --name $managedDiskName --resource-group $sourceResourceGroupName --query [id] -o tsv)
echo 'source managed disk Id is: ' $managedDiskId

# The target: here the same subscription, another resource group
targetSubscriptionId=$sourceSubscriptionId
targetResourceGroupName="rg-target"
az account set --subscription $targetSubscriptionId

# Copy the managed disk by its ID
az disk create --resource-group $targetResourceGroupName --name $managedDiskName --source $managedDiskId --query "{name:name, group:resourceGroup, sku:sku.name, sizeGb:diskSizeGB, createOption:creationData.createOption}"
az disk show --resource-group $targetResourceGroupName --name $managedDiskName --query "creationData.sourceResourceId == '$managedDiskId'"

# A copy can change type and grow; it never shrinks
az disk create --resource-group $targetResourceGroupName --name "$managedDiskName-ssd" --source $managedDiskId --sku StandardSSD_LRS --size-gb 128 -o none
az disk list --resource-group $targetResourceGroupName --query "[].{Name:name, Sku:sku.name, SizeGb:diskSizeGB}" -o table
az disk create --resource-group $targetResourceGroupName --name "$managedDiskName-small" --source $managedDiskId --size-gb 32
echo "exit code: $?"
