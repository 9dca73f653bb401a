subscription=$(az account show --query id -o tsv)
rgname="rg-docs"
diskName="v2-disk"

# What the disk is provisioned with now
az disk show --resource-group $rgname --name $diskName --query "{iops:diskIOPSReadWrite, mbps:diskMBpsReadWrite}" -o table

# Raise both, without detaching the disk or resizing it
az disk update --subscription $subscription --resource-group $rgname --name $diskName --disk-iops-read-write=5000 --disk-mbps-read-write=200 --query "[diskSizeGB, diskIOPSReadWrite, diskMBpsReadWrite]" -o tsv

# Throughput alone
az disk update --resource-group $rgname --name $diskName --disk-mbps-read-write=400 --query "[diskIOPSReadWrite, diskMBpsReadWrite]" -o tsv

# Below the minimum: refused
az disk update --resource-group $rgname --name $diskName --disk-iops-read-write=1000
echo "exit code: $?"
