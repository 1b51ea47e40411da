# Power actions on one VM (operation "vm.action"), addressed by GUID.
# fields: vmId (GUID, required), action (start|shutdown|turnoff|restart|save|pause|resume).
# Each action lists the states it accepts, so a click on a stale row fails with a clear message
# instead of a raw Hyper-V error.
param([Parameter(Mandatory = $true)]$Fields)

$ErrorActionPreference = 'Stop'
. (Join-Path $PSScriptRoot 'AetherV.Common.ps1')

$rules = @{
    'start'    = @{ States = @('Off', 'Saved', 'Paused'); Verb = 'start' }
    'shutdown' = @{ States = @('Running'); Verb = 'shut down' }
    'turnoff'  = @{ States = @('Running', 'Paused', 'Saved', 'Starting', 'Stopping'); Verb = 'turn off' }
    'restart'  = @{ States = @('Running'); Verb = 'restart' }
    'save'     = @{ States = @('Running'); Verb = 'save' }
    'pause'    = @{ States = @('Running'); Verb = 'pause' }
    'resume'   = @{ States = @('Paused'); Verb = 'resume' }
}

$vmId = Get-AgentField -Fields $Fields -Name 'vmId' -Type 'guid' -Required
$action = Get-AgentField -Fields $Fields -Name 'action' -Type 'string' -Required
if (-not $rules.ContainsKey($action)) {
    throw (New-AgentError -Code 'INVALID_FIELDS' -Message ("Unknown VM action '" + $action + "'. Use one of: " + (@($rules.Keys | Sort-Object) -join ', ') + '.'))
}
$rule = $rules[$action]

$vm = Get-AetherVmById -VmId $vmId
# Critical/fast-saved variants behave like their base state for power actions.
$state = ([string]$vm.State) -replace 'Critical$', '' -replace '^FastSaved$', 'Saved'
if ($rule.States -notcontains $state) {
    throw (New-AgentError -Code 'INVALID_STATE' -Message ("Cannot " + $rule.Verb + " VM '" + $vm.Name + "': it is " + $state + '; this action needs it ' + ($rule.States -join ' or ') + '. Refresh and try again.') -Details ([ordered]@{ vmId = $vmId.ToString(); state = $state }))
}

Write-AgentLog -Message ($rule.Verb + " VM '" + $vm.Name + "' (was " + $state + ')') -Step $action
switch ($action) {
    'start' {
        # Start-VM does not resume a paused VM; Resume-VM does.
        if ($state -eq 'Paused') { Resume-VM -VM $vm -Confirm:$false } else { Start-VM -VM $vm -Confirm:$false }
    }
    # -Force skips the "applications may lose data" prompt; the shutdown is still graceful.
    'shutdown' { Stop-VM -VM $vm -Force -Confirm:$false }
    'turnoff' { Stop-VM -VM $vm -TurnOff -Force -Confirm:$false }
    # Hard reset, as the Hyper-V Manager "Reset" button does.
    'restart' { Restart-VM -VM $vm -Force -Confirm:$false }
    'save' { Save-VM -VM $vm -Confirm:$false }
    'pause' { Suspend-VM -VM $vm -Confirm:$false }
    'resume' { Resume-VM -VM $vm -Confirm:$false }
}

$after = Get-AetherVmById -VmId $vmId
return [ordered]@{
    vmId          = $vmId.ToString()
    vmName        = [string]$after.Name
    action        = $action
    previousState = $state
    state         = ([string]$after.State) -replace 'Critical$', ''
}
