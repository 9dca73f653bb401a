$resourceGroupName = "rg-docs"
$diskName = "app-disk"

$disk = Get-AzDisk -ResourceGroupName $resourceGroupName -DiskName $diskName

# Every snapshot in the group taken from that disk
$snapshots = Get-AzSnapshot -ResourceGroupName $resourceGroupName | Where-Object { $_.CreationData.SourceResourceId -eq $disk.Id }
$snapshots | Select-Object Name, Incremental, DiskSizeGB | Format-Table

foreach ($snapshot in $snapshots) {
    Write-Output "$($snapshot.Name) was taken from $($disk.Name)"
}
Write-Output "Snapshots of ${diskName}: $($snapshots.Count)"
