$resourceGroupName = "rg-docs"
$snapshotName = "data-disk-snap"
$targetSnapshotName = "data-disk-snap-zrs"

$sourceSnapshot = Get-AzSnapshot -ResourceGroupName $resourceGroupName -SnapshotName $snapshotName
Write-Output "$($sourceSnapshot.Name): $($sourceSnapshot.Sku.Name)"

# A copy of the snapshot, in the same region, on zone-redundant storage
$snapshotConfig = New-AzSnapshotConfig -SourceResourceId $sourceSnapshot.Id -Location $sourceSnapshot.Location -CreateOption Copy -SkuName Standard_ZRS
$copy = New-AzSnapshot -Snapshot $snapshotConfig -SnapshotName $targetSnapshotName -ResourceGroupName $resourceGroupName
Write-Output "$($copy.Name): $($copy.Sku.Name), $($copy.CreationData.CreateOption)"

Get-AzSnapshot -ResourceGroupName $resourceGroupName |
    Select-Object Name, @{Name = 'Sku'; Expression = { $_.Sku.Name }}, DiskSizeGB |
    Format-Table
