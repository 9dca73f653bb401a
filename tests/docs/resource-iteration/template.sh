az deployment group create -g rg-docs --template-file template.json --parameters snapshotCount=3 --query properties.outputs.names.value -o tsv
az snapshot list -g rg-docs --query "[].name" -o tsv
