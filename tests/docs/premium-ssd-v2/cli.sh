diskName="ssd-v2-disk"
resourceGroupName="rg-docs"
region="eastus"
zone="1"
logicalSectorSize=4096

az disk create -n $diskName -g $resourceGroupName --size-gb 100 --disk-iops-read-write 5000 --disk-mbps-read-write 150 --location $region --zone $zone --sku PremiumV2_LRS --logical-sector-size $logicalSectorSize --query "{name:name, sku:sku.name, zones:zones, iops:diskIOPSReadWrite, mbps:diskMBpsReadWrite}"

# Adjust its performance
az disk update -n $diskName -g $resourceGroupName --disk-iops-read-write 6000 --disk-mbps-read-write 200 --query "[diskIOPSReadWrite, diskMBpsReadWrite]" -o tsv

# Out of range: refused as Azure refuses it
az disk update -n $diskName -g $resourceGroupName --disk-iops-read-write 90000
echo "exit code: $?"
