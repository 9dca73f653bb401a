$diskName = "data-disk"
$resourceGroupName = "rg-docs"
$snapshotName = "data-disk-snap-ps"
$newDiskName = "data-disk-v2-ps"

$yourDisk = Get-AzDisk -DiskName $diskName -ResourceGroupName $resourceGroupName
$snapshotConfig = New-AzSnapshotConfig -SourceUri $yourDisk.Id -Location $yourDisk.Location -CreateOption Copy -Incremental
$snapshot = New-AzSnapshot -ResourceGroupName $resourceGroupName -SnapshotName $snapshotName -Snapshot $snapshotConfig

$diskConfig = New-AzDiskConfig -SkuName PremiumV2_LRS -Location $snapshot.Location -CreateOption Copy -SourceResourceId $snapshot.Id
$newDisk = New-AzDisk -ResourceGroupName $resourceGroupName -DiskName $newDiskName -Disk $diskConfig
Write-Output ($newDisk.Name + ": " + $newDisk.Sku.Name + ", " + $newDisk.DiskSizeGB + " GiB, " + $newDisk.DiskIOPSReadWrite + " IOPS, " + $newDisk.DiskMBpsReadWrite + " MB/s")
