az deployment group create -g rg-docs --template-file template.json --parameters sourceSnapshotName=data-disk-snap-1 --query properties.provisioningState -o tsv
az snapshot show -g rg-docs -n data-disk-snap-1-westus2 --query "{createOption:creationData.createOption, location:location}" -o json
