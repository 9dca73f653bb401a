# Find unattached managed disks, and delete those the clean-up targets.
# deleteUnattachedDisks=1 deletes them, 0 only lists their ids.
deleteUnattachedDisks=1

# In azure-cli 2.91.0 `az disk list` lists one resource group (-g is required).
# managedBy is the id of the VM a disk is attached to; null when it is not.
# The page keeps the ids in a variable and loops over ${…[@]}, testing the
# switch with (( )).
unattachedDiskIds=$(az disk list -g rg-cleanup --query "[?managedBy==null && starts_with(name, 'web-')].id" -o tsv)
for id in ${unattachedDiskIds[@]}
do
    if (( $deleteUnattachedDisks == 1 ))
    then
        echo "Deleting unattached disk: $id"
        az disk delete --ids "$id" --yes
    else
        echo "$id"
    fi
done
az disk list -g rg-cleanup --query "[].name" -o tsv

# Snapshots outlive their disks. `az snapshot list` without -g lists the
# whole subscription's, whichever group they are in.
az group create -n rg-archive -l westeurope -o none
archiveId=$(az disk show -g rg-cleanup -n keep-archive --query id -o tsv)
az snapshot create -g rg-archive -n keep-archive-snap --source "$archiveId" -o none
az snapshot list --query "[].{Name:name, Group:resourceGroup, Incremental:incremental}" -o table
az snapshot list --query "length([?starts_with(name, 'web-')])"
