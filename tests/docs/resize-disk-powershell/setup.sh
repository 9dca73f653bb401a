az group create --name rg-docs --location eastus -o none
az disk create -g rg-docs -n data-disk --size-gb 128 --sku Premium_LRS -o none
az disk create -g rg-docs -n log-disk --size-gb 32 --sku StandardSSD_LRS -o none
