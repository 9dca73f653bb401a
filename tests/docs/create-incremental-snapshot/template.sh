az deployment group create -g rg-docs --template-file template.json --query "{state:properties.provisioningState, snapshot:properties.outputs.snapshotId.value}"
az snapshot show -g rg-docs -n data-disk-snap-arm --query "{incremental:incremental, used:diskSizeGB}"
