$resourceGroupName = "rg-docs"
$diskName = "data-disk"

# A read SAS for the disk, valid for an hour, to download its VHD with
$diskSas = Grant-AzDiskAccess -ResourceGroupName $resourceGroupName -DiskName $diskName -DurationInSecond 3600 -Access Read
Write-Output "Read SAS: $($diskSas.AccessSAS -like 'https://*sp=r*')"

# Wait until the disk reports the SAS
$disk = Get-AzDisk -ResourceGroupName $resourceGroupName -DiskName $diskName
while ($disk.DiskState -ne 'ActiveSAS') {
    Start-Sleep -Seconds 5
    $disk = Get-AzDisk -ResourceGroupName $resourceGroupName -DiskName $diskName
}
Write-Output "Disk state: $($disk.DiskState)"

# The download is done: revoke the SAS, then wait until the disk is unattached again
Revoke-AzDiskAccess -ResourceGroupName $resourceGroupName -DiskName $diskName | Out-Null
do {
    Start-Sleep -Seconds 5
    $disk = Get-AzDisk -ResourceGroupName $resourceGroupName -DiskName $diskName
} while ($disk.DiskState -ne 'Unattached')
Write-Output "Disk state: $($disk.DiskState)"
