subscriptionId=$(az account show --query id -o tsv)
resourceGroupName="rg-docs"
sourceSnapshotName="data-disk-snap-1"
targetSnapshotName="data-disk-snap-1-westus"
targetRegion="westus"

sourceSnapshotId=$(az snapshot show -n $sourceSnapshotName -g $resourceGroupName --query id -o tsv)

az snapshot create -g $resourceGroupName -n $targetSnapshotName -l $targetRegion --source $sourceSnapshotId --incremental --copy-start --query "{name:name, createOption:creationData.createOption, location:location}"

# Wait until the copy is complete
completion=$(az snapshot show -n $targetSnapshotName -g $resourceGroupName --query completionPercent -o tsv)
checks=1
while [ "$completion" != "100.0" ]; do
  sleep 15
  completion=$(az snapshot show -n $targetSnapshotName -g $resourceGroupName --query completionPercent -o tsv)
  checks=$((checks + 1))
done
echo "copy complete after $checks checks"
az snapshot show -n $targetSnapshotName -g $resourceGroupName --query "{name:name, completionPercent:completionPercent, incremental:incremental}" -o table
