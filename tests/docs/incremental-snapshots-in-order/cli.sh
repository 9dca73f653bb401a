resourceGroupName="rg-docs"
diskName="data-disk"

# The disk's ID and its unique ID: a disk deleted and re-created under the same name gets a new unique ID
diskId=$(az disk show -n $diskName -g $resourceGroupName --query [id] -o tsv)
diskUniqueId=$(az disk show -n $diskName -g $resourceGroupName --query [uniqueId] -o tsv)

# The incremental snapshots of this disk, oldest first
az snapshot list -g $resourceGroupName --query "sort_by([?creationData.sourceResourceId=='$diskId' && creationData.sourceUniqueId=='$diskUniqueId' && incremental], &timeCreated)[].{Name:name, Created:timeCreated}" -o table

# The newest one: the base for the next copy or restore
az snapshot list -g $resourceGroupName --query "sort_by([?creationData.sourceResourceId=='$diskId' && creationData.sourceUniqueId=='$diskUniqueId' && incremental], &timeCreated)[-1].name" -o tsv

# A full snapshot of the same disk is not in the chain
az snapshot list -g $resourceGroupName --query "[?creationData.sourceResourceId=='$diskId' && !incremental].name" -o tsv
