# Aether-V agent entry point: the only script the desktop app invokes.
# Contract (docs/agent.md): one base64 UTF-8 JSON envelope on stdin (or piped in), log lines
# "AETHERV-LOG <json>" as work happens, then exactly one "AETHERV-RESULT <json>" line.
# Exit code 0 when status is ok, 1 otherwise.
# Operations are dispatched by name to sibling scripts; input is never turned into code.

$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'

# Read pipeline input first ($input is only valid here), stdin otherwise.
$pipedText = (@($input) | ForEach-Object { [string]$_ }) -join "`n"

$operation = ''
$correlationId = ''
$exitCode = 1
try {
    . (Join-Path $PSScriptRoot 'AetherV.Common.ps1')
    Initialize-AgentOutput

    $rawText = $pipedText
    if ($rawText.Trim().Length -eq 0) {
        $rawText = [Console]::In.ReadToEnd()
    }
    $envelope = Read-AgentEnvelope -Text $rawText
    $operation = [string]$envelope.operation
    $correlationId = [string]$envelope.correlationId
    $fields = $envelope.fields

    # operation name -> script file and extra switches. Unknown names never reach a script.
    $scripts = @{
        'inventory'       = @{ File = 'Get-HostInventory.ps1'; Args = @{} }
        'inventory.quick' = @{ File = 'Get-HostInventory.ps1'; Args = @{ Quick = $true } }
        'vm.create'       = @{ File = 'New-AetherVm.ps1'; Args = @{} }
        'vm.action'       = @{ File = 'Invoke-VmAction.ps1'; Args = @{} }
        'vm.delete'       = @{ File = 'Remove-AetherVm.ps1'; Args = @{} }
        'vm.update'         = @{ File = 'Update-AetherVm.ps1'; Args = @{} }
        'disk.add'          = @{ File = 'Invoke-AetherVmDisk.ps1'; Args = @{ Operation = 'add' } }
        'disk.expand'       = @{ File = 'Invoke-AetherVmDisk.ps1'; Args = @{ Operation = 'expand' } }
        'disk.remove'       = @{ File = 'Invoke-AetherVmDisk.ps1'; Args = @{ Operation = 'remove' } }
        'nic.add'           = @{ File = 'Invoke-AetherVmNic.ps1'; Args = @{ Operation = 'add' } }
        'nic.update'        = @{ File = 'Invoke-AetherVmNic.ps1'; Args = @{ Operation = 'update' } }
        'nic.remove'        = @{ File = 'Invoke-AetherVmNic.ps1'; Args = @{ Operation = 'remove' } }
        'checkpoint.create' = @{ File = 'Invoke-AetherVmCheckpoint.ps1'; Args = @{ Operation = 'create' } }
        'checkpoint.apply'  = @{ File = 'Invoke-AetherVmCheckpoint.ps1'; Args = @{ Operation = 'apply' } }
        'checkpoint.rename' = @{ File = 'Invoke-AetherVmCheckpoint.ps1'; Args = @{ Operation = 'rename' } }
        'checkpoint.delete' = @{ File = 'Invoke-AetherVmCheckpoint.ps1'; Args = @{ Operation = 'delete' } }
        'vm.move'           = @{ File = 'Move-AetherVm.ps1'; Args = @{} }
        'host.orphanDisks'  = @{ File = 'Get-AetherOrphanDisks.ps1'; Args = @{} }
    }

    if ($operation -eq 'version') {
        $data = [ordered]@{
            agentVersion      = (Get-AgentVersionText)
            installDirectory  = $PSScriptRoot
            psVersion         = $PSVersionTable.PSVersion.ToString()
            computerName      = $env:COMPUTERNAME
            schemaVersion     = $script:AgentSchemaVersion
        }
    } elseif ($scripts.ContainsKey($operation)) {
        $entry = $scripts[$operation]
        $scriptPath = Join-Path $PSScriptRoot $entry.File
        if (-not (Test-Path -LiteralPath $scriptPath -PathType Leaf)) {
            throw (New-AgentError -Code 'AGENT_INCOMPLETE' -Message ('Agent file ' + $entry.File + ' is missing from ' + $PSScriptRoot + '. Redeploy the agent to this host.'))
        }
        $arguments = $entry.Args
        $arguments['Fields'] = $fields
        Write-AgentLog -Message ('Starting ' + $operation + ' (correlation ' + $correlationId + ')') -Step 'dispatch'
        # Operation scripts return exactly one ordered hashtable; anything else they emit by
        # mistake is dropped here so it can never be mistaken for the result.
        $outputs = @(& $scriptPath @arguments)
        if ($outputs.Count -eq 0) {
            throw (New-AgentError -Code 'INTERNAL_ERROR' -Message ('Operation ' + $operation + ' returned no data.'))
        }
        $data = $outputs[$outputs.Count - 1]
    } else {
        throw (New-AgentError -Code 'UNKNOWN_OPERATION' -Message ("Unknown operation '" + $operation + "'. This agent supports: version, " + (@($scripts.Keys | Sort-Object) -join ', ') + '.'))
    }

    Write-AgentResult -Status 'ok' -Operation $operation -CorrelationId $correlationId -Data $data
    $exitCode = 0
} catch {
    $record = $_
    if (Get-Command -Name 'Get-AgentErrorInfo' -CommandType Function -ErrorAction SilentlyContinue) {
        $info = Get-AgentErrorInfo -ErrorRecord $record
        Write-AgentResult -Status 'error' -Operation $operation -CorrelationId $correlationId -ErrorInfo $info
    } else {
        # The common file itself failed to load: answer in the same format without its helpers.
        $fallback = [ordered]@{
            status        = 'error'
            operation     = $operation
            correlationId = $correlationId
            error         = [ordered]@{ code = 'AGENT_INCOMPLETE'; message = ('Agent helpers failed to load: ' + $record.Exception.Message + ' Redeploy the agent.') }
        }
        [Console]::Out.WriteLine('AETHERV-RESULT ' + (ConvertTo-Json -InputObject $fallback -Depth 5 -Compress))
        [Console]::Out.Flush()
    }
    $exitCode = 1
}
exit $exitCode
