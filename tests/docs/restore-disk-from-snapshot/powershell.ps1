$resourceGroupName = "rg-docs"
$snapshotName = "data-disk-snap"
$diskName = "data-disk-restored-ps"
$diskSize = 256
$storageType = "Premium_LRS"

$snapshot = Get-AzSnapshot -ResourceGroupName $resourceGroupName -SnapshotName $snapshotName
$diskConfig = New-AzDiskConfig -SkuName $storageType -Location $snapshot.Location -CreateOption Copy -SourceResourceId $snapshot.Id -DiskSizeGB $diskSize
$disk = New-AzDisk -Disk $diskConfig -ResourceGroupName $resourceGroupName -DiskName $diskName
Write-Output ($disk.Name + ": " + $disk.DiskSizeGB + " GiB, " + $disk.Sku.Name + ", " + $disk.CreationData.CreateOption)
Write-Output ("From the snapshot: " + ($disk.CreationData.SourceResourceId -eq $snapshot.Id))
Get-AzDisk -ResourceGroupName $resourceGroupName | Select-Object Name, DiskSizeGB, DiskState | Format-Table
