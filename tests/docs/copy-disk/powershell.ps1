$resourceGroupName = "rg-docs"
$managedDiskName = "data-disk"
$targetResourceGroupName = "rg-target"

$managedDisk = Get-AzDisk -ResourceGroupName $resourceGroupName -DiskName $managedDiskName
$diskConfig = New-AzDiskConfig -SourceResourceId $managedDisk.Id -Location $managedDisk.Location -CreateOption Copy
$copy = New-AzDisk -Disk $diskConfig -DiskName $managedDiskName -ResourceGroupName $targetResourceGroupName
Write-Output ($copy.Name + " in " + $copy.ResourceGroupName + ": " + $copy.Sku.Name + ", " + $copy.DiskSizeGB + " GiB, " + $copy.CreationData.CreateOption)
Write-Output ("Copied from " + $managedDisk.Name + ": " + ($copy.CreationData.SourceUniqueId -eq $managedDisk.UniqueId))
