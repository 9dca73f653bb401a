$resourceGroupName = "rg-docs"
$sourceSnapshotName = "data-disk-snap-1"
$targetSnapshotName = "data-disk-snap-1-ps"
$targetRegion = "westus2"

$sourceSnapshot = Get-AzSnapshot -ResourceGroupName $resourceGroupName -SnapshotName $sourceSnapshotName
$snapshotConfig = New-AzSnapshotConfig -Location $targetRegion -CreateOption CopyStart -Incremental -SourceResourceId $sourceSnapshot.Id
$targetSnapshot = New-AzSnapshot -ResourceGroupName $resourceGroupName -SnapshotName $targetSnapshotName -Snapshot $snapshotConfig

$targetSnapshot = Get-AzSnapshot -ResourceGroupName $resourceGroupName -SnapshotName $targetSnapshotName
Write-Output ("Started: " + $targetSnapshot.CompletionPercent + "%")
do {
    Start-Sleep -Seconds 30
    $targetSnapshot = Get-AzSnapshot -ResourceGroupName $resourceGroupName -SnapshotName $targetSnapshotName
} while ($targetSnapshot.CompletionPercent -lt 100)
Write-Output ("Copied to " + $targetSnapshot.Location + ": " + $targetSnapshot.CompletionPercent + "%")
