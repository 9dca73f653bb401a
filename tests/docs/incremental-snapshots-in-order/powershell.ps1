$resourceGroupName = "rg-docs"
$diskName = "data-disk"

$yourDisk = Get-AzDisk -DiskName $diskName -ResourceGroupName $resourceGroupName

# The incremental snapshots of this disk (its ID and its unique ID), oldest first
$snapshots = Get-AzSnapshot -ResourceGroupName $resourceGroupName
$incrementalSnapshots = New-Object System.Collections.ArrayList
foreach ($snapshot in $snapshots) {
    if ($snapshot.Incremental -and $snapshot.CreationData.SourceResourceId -eq $yourDisk.Id -and $snapshot.CreationData.SourceUniqueId -eq $yourDisk.UniqueId) {
        $incrementalSnapshots.Add($snapshot) | Out-Null
    }
}
$incrementalSnapshots | Sort-Object TimeCreated | Select-Object Name, TimeCreated | Format-Table
Write-Output "Incremental snapshots of ${diskName}: $($incrementalSnapshots.Count)"
