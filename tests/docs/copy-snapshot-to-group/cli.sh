# The source: its subscription, resource group and snapshot
sourceSubscriptionId=$(az account show --query id -o tsv)
sourceResourceGroupName="rg-docs"
snapshotName="data-disk-snap"

az account set --subscription $sourceSubscriptionId
snapshotId=$(az snapshot show --name $snapshotName --resource-group $sourceResourceGroupName --query [id] -o tsv)

# The target: here the same subscription, another resource group
targetSubscriptionId=$sourceSubscriptionId
targetResourceGroupName="rg-backup"

az account set --subscription $targetSubscriptionId
az snapshot create --resource-group $targetResourceGroupName --name $snapshotName --source $snapshotId --sku Standard_LRS --query "{name:name, group:resourceGroup, sku:sku.name, sizeGb:diskSizeGB, createOption:creationData.createOption}"

# Both copies, one in each group
az snapshot list --query "[?name=='$snapshotName'].{Group:resourceGroup, Sku:sku.name}" -o table
