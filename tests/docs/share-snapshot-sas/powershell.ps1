$resourceGroupName = "rg-docs"
$snapshotName = "data-disk-snap"
$sasExpiryDuration = 3600

$sas = Grant-AzSnapshotAccess -ResourceGroupName $resourceGroupName -SnapshotName $snapshotName -DurationInSecond $sasExpiryDuration -Access Read
Write-Output ("Read SAS: " + ($sas.AccessSAS -like "https://*sp=r*"))
Write-Output ("State: " + (Get-AzSnapshot -ResourceGroupName $resourceGroupName -SnapshotName $snapshotName).DiskState)

Revoke-AzSnapshotAccess -ResourceGroupName $resourceGroupName -SnapshotName $snapshotName | Out-Null
Write-Output ("State: " + (Get-AzSnapshot -ResourceGroupName $resourceGroupName -SnapshotName $snapshotName).DiskState)
