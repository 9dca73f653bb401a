# Variables (the page's placeholders, filled in)
diskName="data-disk"
resourceGroupName="rg-docs"
snapshotName="data-disk-snap-1"

# The ID of the disk to back up
diskId=$(az disk show -n $diskName -g $resourceGroupName --query "id" --output tsv)

# An incremental snapshot of it
az snapshot create -g $resourceGroupName -n $snapshotName --source $diskId --incremental true --query "{name:name, incremental:incremental, sizeGb:diskSizeGB, state:provisioningState}"

# Later, a second one
sim write -g $resourceGroupName --disk $diskName --offset 0 --length 1G --seed 2 -o none
az snapshot create -g $resourceGroupName -n data-disk-snap-2 --source $diskId --incremental true -o none

# Every incremental snapshot of this disk
az snapshot list -g $resourceGroupName --query "[?creationData.sourceResourceId=='$diskId' && incremental].{Name:name, Family:incrementalSnapshotFamilyId != null}" --output table
