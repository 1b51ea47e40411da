# The lab's simulated Windows modules talk to the lab's host model through here: one HTTP POST per
# call (AetherV.Lab.LabRpc in types/HyperV.cs: one HttpClient per process, System.Text.Json).
# Environment: AETHERV_LAB_RPC (http://127.0.0.1:port/rpc), AETHERV_LAB_TOKEN, AETHERV_LAB_HOST,
# and AETHERV_LAB_TYPES_DLL (the types precompiled by the lab; compiling here takes seconds).
Set-StrictMode -Version Latest

# Loaded once per process, whichever module comes first: a second Add-Type of the same source
# would fail, and the DLL cannot be loaded twice anyway. Assembly.LoadFrom rather than
# Add-Type -Path: the same types, ~20 ms instead of ~170 ms in every pwsh process the lab starts.
if (-not ('AetherV.Lab.LabRpc' -as [type])) {
    $dll = $env:AETHERV_LAB_TYPES_DLL
    if ($dll -and [IO.File]::Exists($dll)) {
        $null = [System.Reflection.Assembly]::LoadFrom($dll)
    } else {
        Add-Type -TypeDefinition ([IO.File]::ReadAllText((Join-Path $PSScriptRoot '../../types/HyperV.cs')))
    }
}

function Get-LabInnerException {
    # .NET calls from PowerShell wrap what they throw in MethodInvocationException.
    param([Parameter(Mandatory = $true)][Exception]$Exception)
    while ($Exception -is [System.Management.Automation.MethodInvocationException] -and $null -ne $Exception.InnerException) {
        $Exception = $Exception.InnerException
    }
    return $Exception
}

function Invoke-LabRpc {
    # One call to the lab; returns its result (arrays unroll like any command output) or throws a
    # VirtualizationException whose Data['AetherVLabErrorKind'] is the lab's error kind.
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)][string]$Method,
        [System.Collections.IDictionary]$Params = @{}
    )
    try {
        [AetherV.Lab.LabRpc]::Invoke($Method, $Params)
    } catch {
        throw (Get-LabInnerException $_.Exception)
    }
}

function New-LabVirtualizationException {
    param([Parameter(Mandatory = $true)][string]$Kind, [Parameter(Mandatory = $true)][string]$Message)
    return [AetherV.Lab.LabRpc]::Failure($Kind, $Message)
}
