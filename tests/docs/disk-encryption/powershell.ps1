$rgName = "rg-docs"
$diskName = "data-disk"

$disk = Get-AzDisk -ResourceGroupName $rgName -DiskName $diskName
Write-Output ("Encryption: " + $disk.Encryption.Type)
$snapshot = Get-AzSnapshot -ResourceGroupName $rgName -SnapshotName data-disk-snap
Write-Output ("Snapshot encryption: " + $snapshot.Encryption.Type)
