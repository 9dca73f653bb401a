resourceGroupName="rg-docs"
diskName="premium-disk"
diskSize=128
performanceTier="P10"
region="eastus"

# A Premium SSD created with its performance tier
az disk create -n $diskName -g $resourceGroupName -l $region --sku Premium_LRS --size-gb $diskSize --tier $performanceTier -o none

# The disk's tier, and the IOPS and throughput that come with it
az disk show -n $diskName -g $resourceGroupName --query [tier] -o tsv
az disk show -n $diskName -g $resourceGroupName --query "{tier:tier, iops:diskIOPSReadWrite, mbps:diskMBpsReadWrite}"

# Grown to 512 GiB, the disk has the baseline tier of its new size
az disk update -n $diskName -g $resourceGroupName --size-gb 512 --query "[diskSizeGB, tier, diskIOPSReadWrite]" -o tsv

# A tier above the size's baseline: Azure sets it; Snaplab does not model it and says so
az disk create -n fast-disk -g $resourceGroupName -l $region --sku Premium_LRS --size-gb $diskSize --tier P50
echo "exit code: $?"
