az group create --name rg-cleanup --location westeurope -o none
az disk create -g rg-cleanup -n web-data-01 --size-gb 32 --sku Premium_LRS -o none
az disk create -g rg-cleanup -n web-data-02 --size-gb 32 --sku Premium_LRS -o none
az disk create -g rg-cleanup -n web-logs-01 --size-gb 8 --sku StandardSSD_LRS -o none
az disk create -g rg-cleanup -n keep-archive --size-gb 64 --sku Standard_LRS -o none
az snapshot create -g rg-cleanup -n web-data-01-snap-20240501 --source web-data-01 --incremental true -o none
