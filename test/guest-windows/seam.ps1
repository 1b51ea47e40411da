# Test seam for agent/guest/windows/AetherV-Guest.ps1 (dot-sourced through $env:AETHERV_GUEST_SEAM).
# The "registry" is two JSON files the lab's KVP registry bridge maps to the host's KVP items, and
# every system-changing command is recorded as one JSON line instead of run. Secrets are never
# recorded: a SecureString becomes whether it matches one of the SHA-256 digests the test expects.
$script:SeamDir = $env:AETHERV_TEST_REGISTRY_DIR
$script:SeamRecord = $env:AETHERV_TEST_COMMAND_LOG

function Read-SeamItems {
    param([string]$File)
    $path = Join-Path $script:SeamDir $File
    if (-not (Test-Path -LiteralPath $path)) { return @{} }
    for ($try = 0; $try -lt 5; $try++) {
        try {
            $text = [IO.File]::ReadAllText($path)
            if (-not $text) { return @{} }
            return (ConvertFrom-Json -InputObject $text -AsHashtable)
        } catch {
            Start-Sleep -Milliseconds 20
        }
    }
    throw ('cannot read ' + $File)
}

function Write-SeamItems {
    param([string]$File, [hashtable]$Items)
    $path = Join-Path $script:SeamDir $File
    $temp = $path + '.guest-tmp'
    [IO.File]::WriteAllText($temp, (ConvertTo-Json -InputObject $Items -Depth 3 -Compress))
    [IO.File]::Move($temp, $path, $true)
}

function Read-KvpExternalItems { return (Read-SeamItems -File 'external.json') }

function Write-KvpGuestItem {
    param([Parameter(Mandatory = $true)][string]$Name, [AllowEmptyString()][string]$Value)
    $items = Read-SeamItems -File 'guest.json'
    $items[$Name] = $Value
    Write-SeamItems -File 'guest.json' -Items $items
}

function Remove-KvpGuestItem {
    param([Parameter(Mandatory = $true)][string]$Name)
    $items = Read-SeamItems -File 'guest.json'
    if ($items.ContainsKey($Name)) { $items.Remove($Name); Write-SeamItems -File 'guest.json' -Items $items }
}

function Get-SecretRecord {
    param([System.Security.SecureString]$Secure)
    $plain = [System.Net.NetworkCredential]::new('', $Secure).Password
    $sha = [System.Security.Cryptography.SHA256]::Create()
    $digest = ([BitConverter]::ToString($sha.ComputeHash([Text.Encoding]::UTF8.GetBytes($plain)))).Replace('-', '').ToLowerInvariant()
    $sha.Dispose()
    $expected = @(([string]$env:AETHERV_TEST_EXPECTED_SECRETS).Split(',') | Where-Object { $_ })
    return ('<secret #' + [array]::IndexOf($expected, $digest) + '>')
}

function Invoke-GuestCommand {
    param([Parameter(Mandatory = $true)][string]$Command, [Parameter(Mandatory = $true)][hashtable]$Parameters)
    $recorded = [ordered]@{}
    foreach ($name in @($Parameters.Keys | Sort-Object)) {
        $value = $Parameters[$name]
        if ($value -is [System.Security.SecureString]) {
            $value = Get-SecretRecord -Secure $value
        } elseif ($value -is [System.Management.Automation.PSCredential]) {
            $value = [ordered]@{ UserName = $value.UserName; Password = (Get-SecretRecord -Secure $value.Password) }
        } elseif ($value -is [array]) {
            $value = @($value | ForEach-Object { [string]$_ })
        } elseif ($value -isnot [bool]) {
            $value = [string]$value
        }
        $recorded[$name] = $value
    }
    $line = ConvertTo-Json -InputObject ([ordered]@{ command = $Command; parameters = $recorded }) -Depth 4 -Compress
    Add-Content -LiteralPath $script:SeamRecord -Value $line
}

function Get-GuestInterfaceIndex { return 7 }
function Test-GuestLocalUser { param([string]$Name) return ($Name -eq 'Administrator') }
function Get-GuestComputerName { return 'WIN-TEMPLATE' }
