$resourceGroupName = "rg-docs"
$diskName = "ultra-data-ps"

$diskConfig = New-AzDiskConfig -Location "East US" -DiskSizeGB 8 -DiskIOPSReadWrite 1000 -DiskMBpsReadWrite 100 -AccountType UltraSSD_LRS -CreateOption Empty -Zone 1
$disk = New-AzDisk -ResourceGroupName $resourceGroupName -DiskName $diskName -Disk $diskConfig
Write-Output ($disk.Name + ": " + $disk.Sku.Name + ", " + $disk.DiskIOPSReadWrite + " IOPS")

$diskUpdateConfig = New-AzDiskUpdateConfig -DiskMBpsReadWrite 2000
Update-AzDisk -ResourceGroupName $resourceGroupName -DiskName $diskName -DiskUpdate $diskUpdateConfig | Out-Null
Write-Output ("Throughput now " + (Get-AzDisk -ResourceGroupName $resourceGroupName -DiskName $diskName).DiskMBpsReadWrite + " MB/s")
