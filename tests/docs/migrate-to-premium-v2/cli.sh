# The page's variables, filled in
diskName="data-disk"
resourceGroupName="rg-docs"
snapshotName="data-disk-snap"
newDiskName="data-disk-v2"

# The disk to move, and an incremental snapshot of it
yourDiskID=$(az disk show -n $diskName -g $resourceGroupName --query "id" --output tsv)
az snapshot create -g $resourceGroupName -n $snapshotName --source $yourDiskID --incremental true -o none

# A Premium SSD v2 disk from the snapshot
az disk create -g $resourceGroupName -n $newDiskName --source $snapshotName --sku PremiumV2_LRS --query "{name:name, sku:sku.name, sizeGb:diskSizeGB, iops:diskIOPSReadWrite, mbps:diskMBpsReadWrite, createOption:creationData.createOption}"

# More performance for the new disk, once it is in use
az disk update -g $resourceGroupName -n $newDiskName --disk-iops-read-write 5000 --disk-mbps-read-write 200 --query "[diskIOPSReadWrite, diskMBpsReadWrite]" -o tsv

# Both disks, side by side
az disk list -g $resourceGroupName --query "[].{Name:name, Sku:sku.name, Tier:tier, Iops:diskIOPSReadWrite}" -o table
