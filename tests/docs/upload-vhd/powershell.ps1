$resourceGroup = 'rg-docs'
$diskName = 'uploaded-disk'
# The VHD's length in bytes, footer included: (Get-Item $vhdPath).Length
$vhdSizeBytes = 34359738880

$diskconfig = New-AzDiskConfig -SkuName 'Standard_LRS' -UploadSizeInBytes $vhdSizeBytes -Location 'eastus' -CreateOption 'Upload'
New-AzDisk -ResourceGroupName $resourceGroup -DiskName $diskName -Disk $diskconfig | Out-Null
(Get-AzDisk -ResourceGroupName $resourceGroup -DiskName $diskName).DiskState

$diskSas = Grant-AzDiskAccess -ResourceGroupName $resourceGroup -DiskName $diskName -DurationInSecond 86400 -Access 'Write'
$diskSas.AccessSAS -match 'sig='
(Get-AzDisk -ResourceGroupName $resourceGroup -DiskName $diskName).DiskState

# AzCopy copies the VHD to $diskSas.AccessSAS here (the CLI tab's lab writes in its place)

Revoke-AzDiskAccess -ResourceGroupName $resourceGroup -DiskName $diskName | Out-Null
$disk = Get-AzDisk -ResourceGroupName $resourceGroup -DiskName $diskName
$disk.DiskState
$disk.CreationData.UploadSizeBytes
