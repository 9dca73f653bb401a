$resourceGroupName = "rg-docs"
$snapshotName = "data-disk-snap"
$targetResourceGroupName = "rg-backup"

$snapshot = Get-AzSnapshot -ResourceGroupName $resourceGroupName -Name $snapshotName
$snapshotConfig = New-AzSnapshotConfig -SourceResourceId $snapshot.Id -Location $snapshot.Location -CreateOption Copy -SkuName Standard_LRS
$copy = New-AzSnapshot -Snapshot $snapshotConfig -SnapshotName "$snapshotName-copy" -ResourceGroupName $targetResourceGroupName
Write-Output ($copy.Name + " in " + $targetResourceGroupName + ": " + $copy.Sku.Name + ", " + $copy.DiskSizeGB + " GiB")
Get-AzSnapshot | Select-Object Name, ResourceGroupName | Format-Table
