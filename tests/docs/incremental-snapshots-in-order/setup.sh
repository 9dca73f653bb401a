az group create --name rg-docs --location eastus -o none
az disk create -g rg-docs -n data-disk --size-gb 128 --sku Premium_LRS -o none
sim write -g rg-docs --disk data-disk --offset 0 --length 4G -o none
az snapshot create -g rg-docs -n data-disk-snap-mon --source data-disk --incremental true -o none
sleep 60
sim write -g rg-docs --disk data-disk --offset 4G --length 1G -o none
az snapshot create -g rg-docs -n data-disk-snap-tue --source data-disk --incremental true -o none
sleep 60
az snapshot create -g rg-docs -n data-disk-full --source data-disk -o none
# Another disk, with an incremental snapshot of its own
az disk create -g rg-docs -n other-disk --size-gb 64 --sku Premium_LRS -o none
az snapshot create -g rg-docs -n other-disk-snap --source other-disk --incremental true -o none
