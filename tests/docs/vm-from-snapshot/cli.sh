# The page's variables, filled in
resourceGroupName="rg-docs"
snapshotName="app-disk-snap"
diskName="app-disk-restored"
diskSize=128
storageType="Premium_LRS"
virtualMachineName="app-vm"

# The snapshot's ID, and a managed disk from it
snapshotId=$(az snapshot show --name $snapshotName --resource-group $resourceGroupName --query [id] -o tsv)
az disk create --resource-group $resourceGroupName --name $diskName --sku $storageType --size-gb $diskSize --source $snapshotId -o none

# A VM, with the restored disk attached to it (as a data disk: the page's
# --attach-os-disk is not modelled)
az vm create --name $virtualMachineName --resource-group $resourceGroupName --image Ubuntu2204 --admin-username azureuser --generate-ssh-keys -o none
az vm disk attach --resource-group $resourceGroupName --vm-name $virtualMachineName --name $diskName
az vm show --name $virtualMachineName --resource-group $resourceGroupName --query "storageProfile.dataDisks[].{Lun:lun, Name:name}" -o table
az disk show --name $diskName --resource-group $resourceGroupName --query "[diskState, managedBy == '$(az vm show -n $virtualMachineName -g $resourceGroupName --query id -o tsv)']" -o tsv
