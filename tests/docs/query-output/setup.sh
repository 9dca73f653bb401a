az group create --name rg-docs --location eastus -o none
az disk create -g rg-docs -n data-disk --size-gb 64 --sku Premium_LRS -o none
az disk create -g rg-docs -n logs-disk --size-gb 32 --sku StandardSSD_LRS -o none
sim write -g rg-docs --disk data-disk --offset 0 --length 3G -o none
az snapshot create -g rg-docs -n snap-a --source data-disk --incremental true -o none
az snapshot create -g rg-docs -n snap-full --source logs-disk -o none
