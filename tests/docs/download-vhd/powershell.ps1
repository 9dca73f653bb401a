$resourceGroupName = "rg-docs"
$diskName = "os-disk"

$sas = Grant-AzDiskAccess -ResourceGroupName $resourceGroupName -DiskName $diskName -DurationInSecond 86400 -Access Read
Write-Output ("Disk state: " + (Get-AzDisk -ResourceGroupName $resourceGroupName -DiskName $diskName).DiskState)
Revoke-AzDiskAccess -ResourceGroupName $resourceGroupName -DiskName $diskName | Out-Null
Write-Output ("Disk state: " + (Get-AzDisk -ResourceGroupName $resourceGroupName -DiskName $diskName).DiskState)
