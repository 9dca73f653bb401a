$diskName = "data-disk"
$resourceGroupName = "rg-docs"
$snapshotName = "data-disk-snap-ps"

$yourDisk = Get-AzDisk -DiskName $diskName -ResourceGroupName $resourceGroupName
$snapshotConfig = New-AzSnapshotConfig -SourceUri $yourDisk.Id -Location $yourDisk.Location -CreateOption Copy -Incremental
$snapshot = New-AzSnapshot -ResourceGroupName $resourceGroupName -SnapshotName $snapshotName -Snapshot $snapshotConfig
Write-Output ("Created " + $snapshot.Name + ", incremental: " + $snapshot.Incremental)

# The incremental snapshots of the disk
$snapshots = Get-AzSnapshot -ResourceGroupName $resourceGroupName
$incrementalSnapshots = New-Object System.Collections.ArrayList
foreach ($snapshot in $snapshots) {
    if ($snapshot.CreationData.SourceUniqueId -eq $yourDisk.UniqueId -and $snapshot.Incremental) {
        $incrementalSnapshots.Add($snapshot) | Out-Null
    }
}
Write-Output ("Incremental snapshots of " + $diskName + ": " + $incrementalSnapshots.Count)
$incrementalSnapshots | Select-Object Name, DiskSizeGB | Format-Table
