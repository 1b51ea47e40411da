# Aether-V Windows guest agent: the guest half of the KVP provisioning handshake (contracts 4),
# for Windows PowerShell 5.1. Runs as SYSTEM from a scheduled task at startup.
#
# Phase one (first boot of a VM made from the template): wait for the host, publish an RSA public
# key, receive the AES key and the encrypted settings, verify the keyed checksum, apply the local
# admin, the network, the computer name and the domain join, report the outcome, restart.
# Phase two (next boot): remove the agent's own working files and unregister its task.
# A marker file makes it run once per VM.
#
# KVP on Windows is the registry: the host's items (AddKvpItems) appear as string values under
# HKLM:\SOFTWARE\Microsoft\Virtual Machine\External; values the guest writes under ...\Guest are
# what the host reads as GuestExchangeItems. The host side is agent/AetherV.Kvp.ps1 + New-AetherVm.ps1.
#
# Secrets stay in memory: the RSA key is an ephemeral CSP key (never persisted), decrypted values
# are byte arrays cleared after use, and passwords reach the system only as SecureString. Nothing
# secret is written to the registry, a file or the log.
#
# Tests: every registry read/write and every command that changes the system goes through the
# small "seam" functions below; $env:AETHERV_GUEST_SEAM names a script that replaces them.
$ErrorActionPreference = 'Stop'

$script:TaskName = 'AetherV-Guest'
$script:RegistryExternal = 'HKLM:\SOFTWARE\Microsoft\Virtual Machine\External'
$script:RegistryGuest = 'HKLM:\SOFTWARE\Microsoft\Virtual Machine\Guest'
$script:KeyVersion = 'hlvmm.meta.version'
$script:KeyHostState = 'hlvmm.meta.host_provisioning_system_state'
$script:KeyGuestState = 'hlvmm.meta.guest_provisioning_system_state'
$script:KeyGuestError = 'hlvmm.meta.guest_provisioning_error'
$script:KeyGuestStep = 'hlvmm.meta.guest_provisioning_step'
$script:KeyAes = 'hlvmm.meta.shared_aes_key'
$script:KeyPublic = 'hlvmm.meta.guest_provisioning_public_key'
$script:KeyChecksum = 'hlvmm.meta.provisioning_system_checksum'
$script:DataPrefix = 'hlvmm.data.'
$script:MaxChunks = 30
$script:SecretNames = @('guest_la_pw', 'guest_domain_join_pw')

function Get-Setting {
    # Environment overrides (tests, troubleshooting); the default otherwise.
    param([string]$Name, [string]$Default)
    $value = [Environment]::GetEnvironmentVariable($Name)
    if ($value) { return $value }
    return $Default
}

$script:StateDir = Get-Setting -Name 'AETHERV_STATE_DIR' -Default ''
if (-not $script:StateDir) { $script:StateDir = Join-Path $env:ProgramData 'AetherV-Guest' }
$script:HostTimeout = [double](Get-Setting -Name 'AETHERV_HOST_TIMEOUT' -Default '600')
$script:DataTimeout = [double](Get-Setting -Name 'AETHERV_DATA_TIMEOUT' -Default '600')
$script:PollSeconds = [double](Get-Setting -Name 'AETHERV_POLL_SECONDS' -Default '5')
$script:RetrySeconds = [double](Get-Setting -Name 'AETHERV_RETRY_SECONDS' -Default '30')
$script:Reboot = (Get-Setting -Name 'AETHERV_REBOOT' -Default '1') -eq '1'
$script:Step = 'error:unknown'

# --- seam: the only places that touch the registry or change the system -------------------------
function Read-KvpExternalItems {
    # Every host item (name -> string) the KVP service has delivered so far.
    $items = @{}
    if (-not (Test-Path -LiteralPath $script:RegistryExternal)) { return $items }
    $key = Get-Item -LiteralPath $script:RegistryExternal
    foreach ($name in $key.GetValueNames()) { $items[$name] = [string]$key.GetValue($name) }
    return $items
}

function Write-KvpGuestItem {
    param([Parameter(Mandatory = $true)][string]$Name, [AllowEmptyString()][string]$Value)
    if (-not (Test-Path -LiteralPath $script:RegistryGuest)) { $null = New-Item -Path $script:RegistryGuest -Force }
    $null = New-ItemProperty -LiteralPath $script:RegistryGuest -Name $Name -Value $Value -PropertyType String -Force
}

function Remove-KvpGuestItem {
    param([Parameter(Mandatory = $true)][string]$Name)
    if (-not (Test-Path -LiteralPath $script:RegistryGuest)) { return }
    $key = Get-Item -LiteralPath $script:RegistryGuest
    if (@($key.GetValueNames()) -contains $Name) { Remove-ItemProperty -LiteralPath $script:RegistryGuest -Name $Name }
}

function Invoke-GuestCommand {
    # Runs one system-changing cmdlet by its (constant) name with named parameters.
    param([Parameter(Mandatory = $true)][string]$Command, [Parameter(Mandatory = $true)][hashtable]$Parameters)
    # Cmdlets such as New-NetIPAddress return objects; they must not end up in a caller's output.
    $null = & $Command @Parameters
}

function Get-GuestInterfaceIndex {
    # The first connected physical (synthetic) adapter; a template normally has exactly one.
    $adapters = @(Get-NetAdapter -Physical | Where-Object { $_.Status -eq 'Up' } | Sort-Object -Property ifIndex)
    if ($adapters.Count -eq 0) { $adapters = @(Get-NetAdapter -Physical | Sort-Object -Property ifIndex) }
    if ($adapters.Count -eq 0) { throw 'No network adapter found.' }
    return [int]$adapters[0].ifIndex
}

function Test-GuestLocalUser {
    param([Parameter(Mandatory = $true)][string]$Name)
    return ($null -ne (Get-LocalUser -Name $Name -ErrorAction SilentlyContinue))
}

function Get-GuestComputerName { return $env:COMPUTERNAME }

function Find-ProvisioningMedia {
    # The provisioning CD carries the agent and the version file the app stamps; the installed
    # copy's folder is the fallback (the README copies aetherv-version next to the script).
    $fixed = Get-Setting -Name 'AETHERV_MEDIA_DIR' -Default ''
    if ($fixed) { return $fixed }
    foreach ($disk in @(Get-CimInstance -ClassName Win32_LogicalDisk | Where-Object { $_.DriveType -eq 5 -and $_.DeviceID })) {
        $root = $disk.DeviceID + '\'
        if ((Test-Path -LiteralPath (Join-Path $root 'aetherv-version')) -and (Test-Path -LiteralPath (Join-Path $root 'AetherV-Guest.ps1'))) { return $root }
    }
    return $PSScriptRoot
}

$seamScript = Get-Setting -Name 'AETHERV_GUEST_SEAM' -Default ''
if ($seamScript) { . $seamScript }

# --- log and state ---------------------------------------------------------------------------
function Write-GuestLog {
    param([string]$Message)
    $line = [DateTime]::UtcNow.ToString('yyyy-MM-ddTHH:mm:ssZ') + ' AetherV-Guest: ' + $Message
    Write-Host $line
    try { Add-Content -LiteralPath (Join-Path $script:StateDir 'aetherv-guest.log') -Value $line -Encoding UTF8 } catch { Write-Host 'could not write the log file' }
}

function Set-GuestStep {
    param([string]$Step)
    $script:Step = 'error ' + $Step
    try { Write-KvpGuestItem -Name $script:KeyGuestStep -Value $Step } catch { Write-GuestLog -Message 'could not publish the step' }
    Write-GuestLog -Message ('step: ' + $Step)
}

function Get-MarkerPath { return (Join-Path $script:StateDir 'service_phase_status') }

function Read-Marker {
    $path = Get-MarkerPath
    if (-not (Test-Path -LiteralPath $path)) { return 'nophasestartedyet' }
    return ([IO.File]::ReadAllText($path)).Trim()
}

function Write-Marker {
    param([string]$Phase)
    [IO.File]::WriteAllText((Get-MarkerPath), $Phase + "`n")
}

function Wait-HostState {
    # Polls the host's state item until it is $Wanted; throws after $TimeoutSeconds.
    param([string]$Wanted, [double]$TimeoutSeconds)
    $deadline = [DateTime]::UtcNow.AddSeconds($TimeoutSeconds)
    $state = ''
    while ($true) {
        $items = Read-KvpExternalItems
        $state = ''
        if ($items.ContainsKey($script:KeyHostState)) { $state = ([string]$items[$script:KeyHostState]).Trim() }
        if ($state -eq $Wanted) { return $items }
        if ([DateTime]::UtcNow -ge $deadline) {
            $last = $state
            if (-not $last) { $last = 'unset' }
            throw ('the host did not reach ' + $Wanted + ' within ' + $TimeoutSeconds + ' s (last host state: ' + $last + ')')
        }
        Start-Sleep -Milliseconds ([int]($script:PollSeconds * 1000))
    }
}

# --- version (one rule on both sides, contracts 5) -------------------------------------------
function ConvertTo-NormalVersion {
    param([string]$Text)
    $clean = ([string]$Text).Replace([string][char]0xFEFF, '').Replace([string][char]0, '')
    foreach ($line in @($clean -split "`r?`n")) {
        $trimmed = $line.Trim()
        if ($trimmed.Length -eq 0) { continue }
        if ($trimmed.StartsWith('v') -or $trimmed.StartsWith('V')) { $trimmed = $trimmed.Substring(1) }
        if ($trimmed -match '^[0-9]+(\.[0-9]+)*$') { return $trimmed }
        return ''
    }
    return ''
}

function Test-VersionEqual {
    param([string]$A, [string]$B)
    $left = @($A.Split('.'))
    $right = @($B.Split('.'))
    $count = [Math]::Max($left.Count, $right.Count)
    for ($i = 0; $i -lt $count; $i++) {
        $x = [decimal]0
        $y = [decimal]0
        if ($i -lt $left.Count) { $x = [decimal]$left[$i] }
        if ($i -lt $right.Count) { $y = [decimal]$right[$i] }
        if ($x -ne $y) { return $false }
    }
    return $true
}

function Test-SameFile {
    param([string]$A, [string]$B)
    $left = [IO.File]::ReadAllBytes($A)
    $right = [IO.File]::ReadAllBytes($B)
    if ($left.Length -ne $right.Length) { return $false }
    for ($i = 0; $i -lt $left.Length; $i++) { if ($left[$i] -ne $right[$i]) { return $false } }
    return $true
}

# --- crypto ----------------------------------------------------------------------------------
function Clear-Bytes {
    param([byte[]]$Bytes)
    if ($null -ne $Bytes) { [Array]::Clear($Bytes, 0, $Bytes.Length) }
}

function Unprotect-KvpBytes {
    # base64(IV || AES-256-CBC ciphertext, PKCS#7) -> plaintext bytes (AetherV.Kvp.ps1 Protect-KvpValue).
    param([byte[]]$Key, [string]$Blob)
    $raw = [Convert]::FromBase64String($Blob.Trim())
    if ($raw.Length -lt 32 -or ($raw.Length % 16) -ne 0) { throw 'an encrypted value has an impossible length' }
    $aes = [System.Security.Cryptography.Aes]::Create()
    try {
        $aes.Mode = [System.Security.Cryptography.CipherMode]::CBC
        $aes.Padding = [System.Security.Cryptography.PaddingMode]::PKCS7
        $aes.Key = $Key
        $iv = New-Object byte[] 16
        [Array]::Copy($raw, 0, $iv, 0, 16)
        $aes.IV = $iv
        $decryptor = $aes.CreateDecryptor()
        try {
            return , $decryptor.TransformFinalBlock($raw, 16, $raw.Length - 16)
        } finally {
            $decryptor.Dispose()
        }
    } finally {
        $aes.Dispose()
    }
}

function Get-Hmac {
    param([byte[]]$Key, [byte[]]$Message)
    $hmac = New-Object System.Security.Cryptography.HMACSHA256 -ArgumentList (, $Key)
    try { return [Convert]::ToBase64String($hmac.ComputeHash($Message)) } finally { $hmac.Dispose() }
}

function Test-SameText {
    # Constant-time comparison, so a wrong checksum reveals nothing by its timing.
    param([string]$A, [string]$B)
    if ($A.Length -ne $B.Length) { return $false }
    $diff = 0
    for ($i = 0; $i -lt $A.Length; $i++) { $diff = $diff -bor ([int]$A[$i] -bxor [int]$B[$i]) }
    return ($diff -eq 0)
}

function Test-BlankBytes {
    param([byte[]]$Bytes)
    foreach ($b in $Bytes) { if ($b -ne 0x20 -and $b -ne 0x09 -and $b -ne 0x0A -and $b -ne 0x0D) { return $false } }
    return $true
}

# --- receiving the settings ------------------------------------------------------------------
function Receive-Settings {
    # Returns name -> plaintext bytes for every hlvmm.data item (chunks <name>._N joined in order).
    # Sets $script:Step to what failed.
    param([System.Security.Cryptography.RSACryptoServiceProvider]$Rsa)
    $items = Read-KvpExternalItems
    $script:Step = 'error reading:provisioning_data'
    if (-not $items.ContainsKey($script:KeyAes) -or -not $items[$script:KeyAes]) { throw 'the host published no AES key' }
    $script:Step = 'error decrypting:shared_aes_key'
    $aesKey = $null
    try {
        $aesKey = $Rsa.Decrypt([Convert]::FromBase64String(([string]$items[$script:KeyAes]).Trim()), $false)
    } catch {
        throw 'the AES key could not be unwrapped with this guest''s private key'
    }
    if ($aesKey.Length -ne 32) { Clear-Bytes $aesKey; throw 'the unwrapped AES key is not 32 bytes' }
    $values = @{}
    try {
        $script:Step = 'error reading:provisioning_data'
        $bases = New-Object System.Collections.Generic.List[string]
        foreach ($name in @($items.Keys)) {
            if (-not ([string]$name).StartsWith($script:DataPrefix)) { continue }
            $base = ([string]$name).Substring($script:DataPrefix.Length) -replace '\._[0-9]+$', ''
            if ($base -notmatch '^[a-z0-9_]+$') { Write-GuestLog -Message 'ignoring a data item with an unexpected name'; continue }
            if (-not $bases.Contains($base)) { $bases.Add($base) }
        }
        if ($bases.Count -eq 0) { throw 'the host published no settings' }

        $script:Step = 'error decrypting:provisioning_data'
        foreach ($base in $bases) {
            $single = $script:DataPrefix + $base
            if ($items.ContainsKey($single) -and $items[$single]) {
                try { $values[$base] = Unprotect-KvpBytes -Key $aesKey -Blob ([string]$items[$single]) } catch { throw ('could not decrypt ' + $base) }
                continue
            }
            $buffer = New-Object System.IO.MemoryStream
            $count = 0
            try {
                for ($index = 0; $index -lt $script:MaxChunks; $index++) {
                    $chunkName = $single + '._' + $index
                    if (-not $items.ContainsKey($chunkName) -or -not $items[$chunkName]) { break }
                    $chunk = $null
                    try { $chunk = Unprotect-KvpBytes -Key $aesKey -Blob ([string]$items[$chunkName]) } catch { throw ('could not decrypt chunk ' + $index + ' of ' + $base) }
                    $buffer.Write($chunk, 0, $chunk.Length)
                    Clear-Bytes $chunk
                    $count++
                }
                # A gap (chunk 0 missing, or a later index without its predecessors) means lost chunks.
                $published = @($items.Keys | Where-Object { ([string]$_).StartsWith($single + '._') -and ([string]$_).Substring($single.Length + 2) -match '^[0-9]+$' }).Count
                if ($count -eq 0 -or $published -ne $count) { throw ('the chunks of ' + $base + ' are incomplete') }
                $values[$base] = $buffer.ToArray()
            } finally {
                $raw = $buffer.GetBuffer()
                Clear-Bytes $raw
                $buffer.Dispose()
            }
        }

        # The host's checksum: HMAC-SHA256 keyed with the AES key over the non-blank values ordered
        # by name (ordinal), joined with '|' (AetherV.Kvp.ps1 Get-KvpChecksum).
        $script:Step = 'error validating:checksum'
        if (-not $items.ContainsKey($script:KeyChecksum) -or -not $items[$script:KeyChecksum]) { throw 'the host published no checksum' }
        $names = New-Object System.Collections.Generic.List[string]
        foreach ($name in $values.Keys) { if (-not (Test-BlankBytes $values[$name])) { $names.Add([string]$name) } }
        $names.Sort([StringComparer]::Ordinal)
        $message = New-Object System.IO.MemoryStream
        try {
            for ($i = 0; $i -lt $names.Count; $i++) {
                if ($i -gt 0) { $message.WriteByte(0x7C) }
                $bytes = $values[$names[$i]]
                $message.Write($bytes, 0, $bytes.Length)
            }
            $joined = $message.ToArray()
            $actual = Get-Hmac -Key $aesKey -Message $joined
            Clear-Bytes $joined
        } finally {
            Clear-Bytes ($message.GetBuffer())
            $message.Dispose()
        }
        if (-not (Test-SameText -A $actual -B ([string]$items[$script:KeyChecksum]).Trim())) {
            throw 'the checksum of the received settings does not match the host''s'
        }
        return $values
    } catch {
        foreach ($name in @($values.Keys)) { Clear-Bytes $values[$name] }
        throw
    } finally {
        Clear-Bytes $aesKey
    }
}

function ConvertTo-SecretValue {
    param([byte[]]$Bytes)
    $chars = [Text.Encoding]::UTF8.GetChars($Bytes)
    $secure = New-Object System.Security.SecureString
    foreach ($c in $chars) { $secure.AppendChar($c) }
    [Array]::Clear($chars, 0, $chars.Length)
    $secure.MakeReadOnly()
    return $secure
}

function Split-Settings {
    # Plain settings become trimmed strings, secrets become SecureStrings; every byte array is cleared.
    param([hashtable]$Values)
    $plain = @{}
    $secret = @{}
    foreach ($name in @($Values.Keys)) {
        $bytes = $Values[$name]
        if ($script:SecretNames -contains $name) {
            $secret[$name] = ConvertTo-SecretValue -Bytes $bytes
        } else {
            $plain[$name] = ([Text.Encoding]::UTF8.GetString($bytes)).Trim()
        }
        Clear-Bytes $bytes
    }
    return @{ Plain = $plain; Secret = $secret }
}

# --- applying ----------------------------------------------------------------------------------
function Get-Plain {
    param([hashtable]$Plain, [string]$Name)
    if ($Plain.ContainsKey($Name)) { return [string]$Plain[$Name] }
    return ''
}

function Test-IPv4 {
    param([string]$Text)
    if ($Text -notmatch '^[0-9]{1,3}(\.[0-9]{1,3}){3}$') { return $false }
    foreach ($part in $Text.Split('.')) { if ([int]$part -gt 255) { return $false } }
    return $true
}

function Set-LocalAdmin {
    param([hashtable]$Plain, [hashtable]$Secret)
    $user = Get-Plain -Plain $Plain -Name 'guest_la_uid'
    if (-not $user) { return }
    if ($user -notmatch '^[A-Za-z0-9][A-Za-z0-9._-]{0,19}$') { throw 'the local admin user name is not a valid Windows user name (1-20 letters, digits, . _ -)' }
    if (-not $Secret.ContainsKey('guest_la_pw')) { throw 'the local admin has no password' }
    if (Test-GuestLocalUser -Name $user) {
        Invoke-GuestCommand -Command 'Set-LocalUser' -Parameters @{ Name = $user; Password = $Secret['guest_la_pw']; PasswordNeverExpires = $true }
        Invoke-GuestCommand -Command 'Enable-LocalUser' -Parameters @{ Name = $user }
    } else {
        Invoke-GuestCommand -Command 'New-LocalUser' -Parameters @{ Name = $user; Password = $Secret['guest_la_pw']; PasswordNeverExpires = $true; AccountNeverExpires = $true; Description = 'Local administrator set by Aether-V' }
    }
    # By SID: the group's name is localized.
    Invoke-GuestCommand -Command 'Add-LocalGroupMember' -Parameters @{ SID = 'S-1-5-32-544'; Member = $user; ErrorAction = 'SilentlyContinue' }
}

function Set-GuestNetwork {
    param([hashtable]$Plain)
    $ip = Get-Plain -Plain $Plain -Name 'guest_v4_ip_addr'
    $prefix = Get-Plain -Plain $Plain -Name 'guest_v4_cidr_prefix'
    $gateway = Get-Plain -Plain $Plain -Name 'guest_v4_default_gw'
    $dns = @(@((Get-Plain -Plain $Plain -Name 'guest_v4_dns1'), (Get-Plain -Plain $Plain -Name 'guest_v4_dns2')) | Where-Object { $_ })
    $suffix = Get-Plain -Plain $Plain -Name 'guest_net_dns_suffix'
    if ($ip) {
        if (-not (Test-IPv4 $ip)) { throw 'guest_v4_ip_addr is not an IPv4 address' }
        if ($prefix -notmatch '^[0-9]{1,2}$' -or [int]$prefix -lt 1 -or [int]$prefix -gt 32) { throw 'guest_v4_cidr_prefix is not 1-32' }
        if (-not (Test-IPv4 $gateway)) { throw 'guest_v4_default_gw is not an IPv4 address' }
    }
    foreach ($server in $dns) { if (-not (Test-IPv4 $server)) { throw 'a DNS server is not an IPv4 address' } }
    if ($suffix -and $suffix -notmatch '^[A-Za-z0-9.-]{1,253}$') { throw 'guest_net_dns_suffix is not a domain name' }
    $index = Get-GuestInterfaceIndex
    if ($ip) {
        Write-GuestLog -Message ('network: static IPv4 on interface ' + $index)
        Invoke-GuestCommand -Command 'Set-NetIPInterface' -Parameters @{ InterfaceIndex = $index; AddressFamily = 'IPv4'; Dhcp = 'Disabled' }
        # The template's leases and routes would otherwise linger next to the static address.
        Invoke-GuestCommand -Command 'Remove-NetRoute' -Parameters @{ InterfaceIndex = $index; AddressFamily = 'IPv4'; DestinationPrefix = '0.0.0.0/0'; Confirm = $false; ErrorAction = 'SilentlyContinue' }
        Invoke-GuestCommand -Command 'Remove-NetIPAddress' -Parameters @{ InterfaceIndex = $index; AddressFamily = 'IPv4'; Confirm = $false; ErrorAction = 'SilentlyContinue' }
        Invoke-GuestCommand -Command 'New-NetIPAddress' -Parameters @{ InterfaceIndex = $index; AddressFamily = 'IPv4'; IPAddress = $ip; PrefixLength = [byte]$prefix; DefaultGateway = $gateway }
    } else {
        Write-GuestLog -Message ('network: DHCP on interface ' + $index)
        Invoke-GuestCommand -Command 'Set-NetIPInterface' -Parameters @{ InterfaceIndex = $index; AddressFamily = 'IPv4'; Dhcp = 'Enabled' }
    }
    if ($dns.Count -gt 0) {
        Invoke-GuestCommand -Command 'Set-DnsClientServerAddress' -Parameters @{ InterfaceIndex = $index; ServerAddresses = [string[]]$dns }
    } elseif (-not $ip) {
        Invoke-GuestCommand -Command 'Set-DnsClientServerAddress' -Parameters @{ InterfaceIndex = $index; ResetServerAddresses = $true }
    }
    if ($suffix) {
        Invoke-GuestCommand -Command 'Set-DnsClient' -Parameters @{ InterfaceIndex = $index; ConnectionSpecificSuffix = $suffix }
        Invoke-GuestCommand -Command 'Set-DnsClientGlobalSetting' -Parameters @{ SuffixSearchList = [string[]]@($suffix) }
    }
}

function Set-GuestIdentity {
    # Computer name, and the domain join (which renames in the same step when both are asked for).
    param([hashtable]$Plain, [hashtable]$Secret)
    $name = Get-Plain -Plain $Plain -Name 'guest_host_name'
    if ($name -and $name -notmatch '^[A-Za-z0-9]([A-Za-z0-9-]{0,13}[A-Za-z0-9])?$') {
        throw 'the computer name must be 1-15 letters, digits or hyphens (NetBIOS limit)'
    }
    $rename = $name -and ($name -ne (Get-GuestComputerName))
    $domain = Get-Plain -Plain $Plain -Name 'guest_domain_join_target'
    if (-not $domain) {
        $script:Step = 'error applying:hostname'
        if ($rename) { Invoke-GuestCommand -Command 'Rename-Computer' -Parameters @{ NewName = $name; Force = $true } }
        return
    }
    Set-GuestStep 'applying:domain_join'
    if ($domain -notmatch '^[A-Za-z0-9.-]{1,253}$') { throw 'guest_domain_join_target is not a domain name' }
    $user = Get-Plain -Plain $Plain -Name 'guest_domain_join_uid'
    if (-not $user -or -not $Secret.ContainsKey('guest_domain_join_pw')) { throw 'the domain join account is incomplete' }
    # A bare account name is taken to be in the domain being joined.
    if ($user -notmatch '[\\@]') { $user = $domain + '\' + $user }
    $credential = New-Object System.Management.Automation.PSCredential -ArgumentList $user, $Secret['guest_domain_join_pw']
    $join = @{ DomainName = $domain; Credential = $credential; Force = $true }
    $ou = Get-Plain -Plain $Plain -Name 'guest_domain_join_ou'
    if ($ou) { $join['OUPath'] = $ou }
    if ($rename) { $join['NewName'] = $name }
    Invoke-GuestCommand -Command 'Add-Computer' -Parameters $join
}

function Invoke-ApplySettings {
    param([hashtable]$Plain, [hashtable]$Secret)
    Set-GuestStep 'applying:users'
    Set-LocalAdmin -Plain $Plain -Secret $Secret
    Set-GuestStep 'applying:network'
    Set-GuestNetwork -Plain $Plain
    Set-GuestStep 'applying:hostname'
    Set-GuestIdentity -Plain $Plain -Secret $Secret
}

# --- phases ------------------------------------------------------------------------------------
function Invoke-PhaseOne {
    Write-Marker 'phase_one_started'
    # The template may hold a former run's items; the host must only ever see this run's.
    $script:Step = 'error publishing:guest_state'
    foreach ($stale in @($script:KeyGuestState, $script:KeyGuestError, $script:KeyGuestStep, $script:KeyPublic)) { Remove-KvpGuestItem -Name $stale }

    Set-GuestStep 'waiting:host_signal'
    $items = Wait-HostState -Wanted 'waitingforpublickey' -TimeoutSeconds $script:HostTimeout

    $script:Step = 'error validating:manifest'
    $hostVersion = ''
    if ($items.ContainsKey($script:KeyVersion)) { $hostVersion = ConvertTo-NormalVersion -Text ([string]$items[$script:KeyVersion]) }
    if (-not $hostVersion) { throw 'the host published no usable version' }
    $media = Find-ProvisioningMedia
    $versionFile = Join-Path $media 'aetherv-version'
    if (-not (Test-Path -LiteralPath $versionFile)) { throw ('no version file at ' + $versionFile) }
    $localVersion = ConvertTo-NormalVersion -Text ([IO.File]::ReadAllText($versionFile))
    if (-not $localVersion) { throw ('no usable version in ' + $versionFile) }
    if (-not (Test-VersionEqual -A $hostVersion -B $localVersion)) {
        throw ('version mismatch: host agent ' + $hostVersion + ', guest agent ' + $localVersion)
    }

    # When the template's installed copy differs from the media's, the media's copy runs instead,
    # so a template never needs updating with the app.
    $mediaScript = Join-Path $media 'AetherV-Guest.ps1'
    if (-not $env:AETHERV_FROM_MEDIA -and (Test-Path -LiteralPath $mediaScript) -and -not (Test-SameFile -A $mediaScript -B $PSCommandPath)) {
        $copy = Join-Path (Join-Path $script:StateDir 'work') 'media-agent'
        $null = New-Item -ItemType Directory -Path $copy -Force
        Copy-Item -LiteralPath $mediaScript, $versionFile -Destination $copy -Force
        Write-GuestLog -Message ('running the agent from the provisioning media (version ' + $localVersion + ')')
        return $copy
    }

    Set-GuestStep 'generating:rsa_keys'
    $rsa = New-Object System.Security.Cryptography.RSACryptoServiceProvider -ArgumentList 2048
    # An ephemeral key: Dispose deletes the CSP container, so the private key never stays on disk.
    $rsa.PersistKeyInCsp = $false
    $settings = $null
    try {
        # A CryptoAPI PUBLICKEYBLOB: the form Windows guests publish (AetherV.Kvp.ps1 ConvertFrom-GuestPublicKey).
        $publicKey = [Convert]::ToBase64String($rsa.ExportCspBlob($false))
        $script:Step = 'error publishing:public_key'
        Write-KvpGuestItem -Name $script:KeyPublic -Value $publicKey
        Write-KvpGuestItem -Name $script:KeyGuestError -Value ''
        $script:Step = 'error publishing:guest_state'
        Write-KvpGuestItem -Name $script:KeyGuestState -Value 'waitingforaeskey'

        Set-GuestStep 'waiting:provisioning_data'
        $null = Wait-HostState -Wanted 'provisioningdatapublished' -TimeoutSeconds $script:DataTimeout

        Set-GuestStep 'receiving:provisioning_data'
        $values = $null
        try {
            $values = Receive-Settings -Rsa $rsa
        } catch {
            # The KVP service may still be delivering items: rescan once (contracts 4.2 step 8).
            Write-GuestLog -Message ($script:Step.Substring(6) + ': ' + $_.Exception.Message + '; retrying once in ' + $script:RetrySeconds + ' s')
            Start-Sleep -Milliseconds ([int]($script:RetrySeconds * 1000))
            $values = Receive-Settings -Rsa $rsa
        }
        $settings = Split-Settings -Values $values
    } finally {
        $rsa.Clear()
        $rsa.Dispose()
    }
    Write-GuestLog -Message ('received ' + ($settings.Plain.Count + $settings.Secret.Count) + ' settings: ' + ((@($settings.Plain.Keys) + @($settings.Secret.Keys) | Sort-Object) -join ' '))

    $script:Step = 'error publishing:guest_state'
    Write-KvpGuestItem -Name $script:KeyGuestState -Value 'applying'
    try {
        Invoke-ApplySettings -Plain $settings.Plain -Secret $settings.Secret
    } finally {
        foreach ($secure in @($settings.Secret.Values)) { $secure.Dispose() }
        $settings.Secret.Clear()
    }

    $script:Step = 'error publishing:success_state'
    Write-KvpGuestItem -Name $script:KeyGuestError -Value ''
    Write-KvpGuestItem -Name $script:KeyGuestState -Value 'provisioningapplied'
    Set-GuestStep 'done'
    Write-Marker 'phase_one'
    Write-GuestLog -Message 'provisioning applied'
    if ($script:Reboot) {
        Write-GuestLog -Message 'restarting to finish (phase two runs at the next boot)'
        Invoke-GuestCommand -Command 'Restart-Computer' -Parameters @{ Force = $true }
    }
    return ''
}

function Invoke-MediaAgent {
    # Runs the media's copy as a script in this same PowerShell; its exit ends only that script
    # and sets $LASTEXITCODE, which becomes this run's exit code.
    param([string]$Folder)
    $env:AETHERV_FROM_MEDIA = '1'
    $env:AETHERV_MEDIA_DIR = $Folder
    $global:LASTEXITCODE = 1
    $null = & (Join-Path $Folder 'AetherV-Guest.ps1')
    return [int]$global:LASTEXITCODE
}

function Invoke-PhaseTwo {
    # Removes exactly the agent's own working files (never what it configured) and its task.
    $work = Join-Path $script:StateDir 'work'
    if (Test-Path -LiteralPath $work) { Remove-Item -LiteralPath $work -Recurse -Force }
    Invoke-GuestCommand -Command 'Unregister-ScheduledTask' -Parameters @{ TaskName = $script:TaskName; Confirm = $false }
    Write-Marker 'phase_two'
    Write-GuestLog -Message 'phase two done: working files removed, task unregistered'
}

function Invoke-Main {
    if (-not (Test-Path -LiteralPath $script:StateDir)) { $null = New-Item -ItemType Directory -Path $script:StateDir -Force }
    # One agent at a time: an exclusive handle on the lock file.
    $lock = $null
    try {
        $lock = [IO.File]::Open((Join-Path $script:StateDir '.lock'), [IO.FileMode]::OpenOrCreate, [IO.FileAccess]::ReadWrite, [IO.FileShare]::None)
    } catch {
        Write-GuestLog -Message 'another AetherV-Guest run is in progress'
        return 1
    }
    try {
        $marker = Read-Marker
        if ($marker -eq 'phase_one') { $null = Invoke-PhaseTwo; return 0 }
        if ($marker -eq 'phase_two') { Write-GuestLog -Message 'this VM is already provisioned; nothing to do'; return 0 }
        if ($marker -ne 'nophasestartedyet') {
            Write-GuestLog -Message ('an earlier provisioning attempt did not finish (' + $marker + '); not retrying. Delete ' + (Get-MarkerPath) + ' to run again')
            return 0
        }
        $handOff = ''
        try {
            $handOff = [string](Invoke-PhaseOne | Select-Object -Last 1)
            if (-not $handOff) { return 0 }
        } catch {
            $summary = $script:Step
            if ($summary.Length -gt 200) { $summary = $summary.Substring(0, 200) }
            Write-GuestLog -Message ($summary.Substring(6) + ': ' + $_.Exception.Message)
            Write-GuestLog -Message ('provisioning failed: ' + $summary)
            try {
                Write-KvpGuestItem -Name $script:KeyGuestError -Value $summary
                Write-KvpGuestItem -Name $script:KeyGuestState -Value 'provisioningfailed'
            } catch {
                Write-GuestLog -Message ('could not report the failure to the host: ' + $_.Exception.Message)
            }
            Write-Marker 'failed'
            return 1
        }
        # The media's copy starts afresh: it needs the lock and no marker.
        Remove-Item -LiteralPath (Get-MarkerPath) -Force
        $lock.Dispose()
        return (Invoke-MediaAgent -Folder $handOff)
    } finally {
        $lock.Dispose()
    }
}

exit (Invoke-Main)
