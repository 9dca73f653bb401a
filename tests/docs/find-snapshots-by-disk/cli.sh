resourceGroupName="rg-docs"
diskName="app-disk"

# The ID of the disk whose snapshots we want
diskId=$(az disk show --resource-group $resourceGroupName --name $diskName --query id -o tsv)

# Every snapshot in the group taken from that disk
az snapshot list --resource-group $resourceGroupName --query "[?creationData.sourceResourceId=='$diskId'].{Name:name, Incremental:incremental, SizeGb:diskSizeGB}" -o table

# Only their names, one a line, to loop over
for snapshotName in $(az snapshot list --resource-group $resourceGroupName --query "[?creationData.sourceResourceId=='$diskId'].name" -o tsv); do
    echo "$snapshotName was taken from $diskName"
done

# How many snapshots each disk has
az snapshot list --resource-group $resourceGroupName --query "length([?creationData.sourceResourceId=='$diskId'])"
az snapshot list --resource-group $resourceGroupName --query "[?ends_with(creationData.sourceResourceId, '/log-disk')].name" -o tsv
