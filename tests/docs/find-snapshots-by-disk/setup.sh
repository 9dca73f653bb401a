az group create --name rg-docs --location eastus -o none
az disk create -g rg-docs -n app-disk --size-gb 64 --sku Premium_LRS -o none
az disk create -g rg-docs -n log-disk --size-gb 32 --sku StandardSSD_LRS -o none
az snapshot create -g rg-docs -n app-disk-snap-1 --source app-disk --incremental true -o none
az snapshot create -g rg-docs -n log-disk-snap-1 --source log-disk -o none
az snapshot create -g rg-docs -n app-disk-snap-2 --source app-disk --incremental true -o none
