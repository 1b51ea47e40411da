# Host side of the KVP provisioning channel (contracts section 4), dot-sourced by
# New-AetherVm.ps1. Reads guest items and writes host items through the Hyper-V WMI v2 provider,
# addressing the VM by GUID (names are not unique). Holds the crypto: RSA key wrap of a fresh
# AES-256 key, AES-CBC per value or chunk, code-point chunking, and the keyed checksum.
# Secret values pass through memory only; nothing here writes them to a file or a log line.

$script:KvpNamespace = 'root/virtualization/v2'
$script:KvpChunkCodePoints = 100
$script:KvpMaxChunks = 30

function Get-KvpComputerSystem {
    param([Parameter(Mandatory = $true)][Guid]$VmId)
    $name = $VmId.ToString().ToUpperInvariant()
    # Filter in PowerShell rather than building a WQL string: no value is ever spliced into a query.
    $systems = @(Get-CimInstance -Namespace $script:KvpNamespace -ClassName 'Msvm_ComputerSystem' | Where-Object { $_.Name -eq $name })
    if ($systems.Count -eq 0) {
        throw (New-AgentError -Code 'VM_NOT_FOUND' -Message ('VM ' + $VmId.ToString() + ' is not visible to the Hyper-V WMI provider.'))
    }
    return $systems[0]
}

function Get-KvpItemsFromXml {
    # Each KVP item is a CIM-XML INSTANCE with PROPERTY Name and Data.
    param($XmlItems)
    $items = @{}
    foreach ($itemXml in @($XmlItems)) {
        if (-not $itemXml) { continue }
        $doc = New-Object System.Xml.XmlDocument
        $doc.LoadXml([string]$itemXml)
        $nameNode = $doc.SelectSingleNode("/INSTANCE/PROPERTY[@NAME='Name']/VALUE")
        $dataNode = $doc.SelectSingleNode("/INSTANCE/PROPERTY[@NAME='Data']/VALUE")
        if ($null -ne $nameNode) {
            $data = ''
            if ($null -ne $dataNode) { $data = $dataNode.InnerText }
            $items[$nameNode.InnerText] = $data
        }
    }
    return $items
}

function Get-KvpGuestItems {
    param([Parameter(Mandatory = $true)][Guid]$VmId)
    $name = $VmId.ToString().ToUpperInvariant()
    $component = @(Get-CimInstance -Namespace $script:KvpNamespace -ClassName 'Msvm_KvpExchangeComponent' | Where-Object { $_.SystemName -eq $name })
    if ($component.Count -eq 0) { return @{} }
    return (Get-KvpItemsFromXml -XmlItems $component[0].GuestExchangeItems)
}

function Get-KvpHostItems {
    param([Parameter(Mandatory = $true)][Guid]$VmId)
    $prefix = 'Microsoft:' + $VmId.ToString().ToUpperInvariant()
    $settings = @(Get-CimInstance -Namespace $script:KvpNamespace -ClassName 'Msvm_KvpExchangeComponentSettingData' |
        Where-Object { ([string]$_.InstanceID).StartsWith($prefix, [StringComparison]::OrdinalIgnoreCase) })
    if ($settings.Count -eq 0) { return @{} }
    return (Get-KvpItemsFromXml -XmlItems $settings[0].HostExchangeItems)
}

function New-KvpItemXml {
    param([string]$Name, [string]$Data)
    # CIM-DTD 2.0 embedded instance; SecurityElement.Escape handles <, >, &, quotes.
    return ('<INSTANCE CLASSNAME="Msvm_KvpExchangeDataItem">' +
        '<PROPERTY NAME="Data" TYPE="string"><VALUE>' + [System.Security.SecurityElement]::Escape($Data) + '</VALUE></PROPERTY>' +
        '<PROPERTY NAME="Name" TYPE="string"><VALUE>' + [System.Security.SecurityElement]::Escape($Name) + '</VALUE></PROPERTY>' +
        '<PROPERTY NAME="Source" TYPE="uint16"><VALUE>0</VALUE></PROPERTY>' +
        '</INSTANCE>')
}

function Wait-KvpMethodResult {
    # 0 = done, 4096 = asynchronous job started; anything else is a failure code.
    param($Result, [string]$What)
    if ($Result.ReturnValue -eq 0) { return }
    if ($Result.ReturnValue -ne 4096) {
        throw (New-AgentError -Code 'HYPERV_ERROR' -Message ($What + ' failed with WMI return code ' + $Result.ReturnValue + '.'))
    }
    $deadline = [DateTime]::UtcNow.AddSeconds(60)
    while ($true) {
        $job = Get-CimInstance -InputObject $Result.Job
        if ($job.JobState -eq 7) { return }
        if ($job.JobState -gt 7) {
            throw (New-AgentError -Code 'HYPERV_ERROR' -Message ($What + ' failed: ' + [string]$job.ErrorDescription))
        }
        if ([DateTime]::UtcNow -gt $deadline) {
            throw (New-AgentError -Code 'HYPERV_ERROR' -Message ($What + ' did not finish within 60 s.'))
        }
        Start-Sleep -Milliseconds 250
    }
}

function Set-KvpHostItem {
    # Replace semantics: remove an existing item of that name, then add the new one.
    param([Parameter(Mandatory = $true)][Guid]$VmId, [Parameter(Mandatory = $true)][string]$Name, [AllowEmptyString()][string]$Data)
    $service = Get-CimInstance -Namespace $script:KvpNamespace -ClassName 'Msvm_VirtualSystemManagementService'
    $system = Get-KvpComputerSystem -VmId $VmId
    $existing = Get-KvpHostItems -VmId $VmId
    if ($existing.ContainsKey($Name)) {
        $removeXml = New-KvpItemXml -Name $Name -Data ''
        $removed = Invoke-CimMethod -InputObject $service -MethodName 'RemoveKvpItems' -Arguments @{ TargetSystem = $system; DataItems = [string[]]@($removeXml) }
        Wait-KvpMethodResult -Result $removed -What ('Removing KVP item ' + $Name)
    }
    $addXml = New-KvpItemXml -Name $Name -Data $Data
    $added = Invoke-CimMethod -InputObject $service -MethodName 'AddKvpItems' -Arguments @{ TargetSystem = $system; DataItems = [string[]]@($addXml) }
    Wait-KvpMethodResult -Result $added -What ('Writing KVP item ' + $Name)
}

function Remove-KvpHostItem {
    param([Parameter(Mandatory = $true)][Guid]$VmId, [Parameter(Mandatory = $true)][string]$Name)
    $existing = Get-KvpHostItems -VmId $VmId
    if (-not $existing.ContainsKey($Name)) { return }
    $service = Get-CimInstance -Namespace $script:KvpNamespace -ClassName 'Msvm_VirtualSystemManagementService'
    $system = Get-KvpComputerSystem -VmId $VmId
    $removed = Invoke-CimMethod -InputObject $service -MethodName 'RemoveKvpItems' -Arguments @{ TargetSystem = $system; DataItems = [string[]]@((New-KvpItemXml -Name $Name -Data '')) }
    Wait-KvpMethodResult -Result $removed -What ('Removing KVP item ' + $Name)
}

function Read-DerElement {
    # Minimal DER reader: tag, content start and length. Enough for RSA public keys.
    param([byte[]]$Bytes, [int]$Offset)
    if ($Offset + 2 -gt $Bytes.Length) { throw (New-AgentError -Code 'GUEST_KEY_INVALID' -Message 'The guest public key is truncated.') }
    $tag = [int]$Bytes[$Offset]
    $first = [int]$Bytes[$Offset + 1]
    $position = $Offset + 2
    $length = 0
    if ($first -lt 0x80) {
        $length = $first
    } else {
        $count = $first -band 0x7F
        if ($count -lt 1 -or $count -gt 3) { throw (New-AgentError -Code 'GUEST_KEY_INVALID' -Message 'The guest public key has an unsupported DER length.') }
        for ($i = 0; $i -lt $count; $i++) { $length = ($length * 256) + [int]$Bytes[$position + $i] }
        $position += $count
    }
    if ($position + $length -gt $Bytes.Length) { throw (New-AgentError -Code 'GUEST_KEY_INVALID' -Message 'The guest public key is truncated.') }
    return [pscustomobject]@{ Tag = $tag; Start = $position; Length = $length; End = $position + $length }
}

function Get-DerIntegerBytes {
    param([byte[]]$Bytes, $Element)
    $start = $Element.Start
    $end = $Element.End
    # Strip the sign byte(s): RSAParameters wants the unsigned big-endian magnitude.
    while ($start -lt ($end - 1) -and $Bytes[$start] -eq 0) { $start++ }
    $out = New-Object byte[] ($end - $start)
    [Array]::Copy($Bytes, $start, $out, 0, $end - $start)
    return , $out
}

function ConvertFrom-GuestPublicKey {
    # Accepts the three forms a guest may publish: a CryptoAPI PUBLICKEYBLOB (Windows guests),
    # PKCS#1 RSAPublicKey DER (Linux guests) and X.509 SubjectPublicKeyInfo DER.
    param([Parameter(Mandatory = $true)][string]$EncodedKey)
    try {
        $bytes = [Convert]::FromBase64String($EncodedKey.Trim())
    } catch {
        throw (New-AgentError -Code 'GUEST_KEY_INVALID' -Message 'The guest public key is not valid base64.')
    }
    $rsa = New-Object System.Security.Cryptography.RSACryptoServiceProvider
    if ($bytes.Length -gt 8 -and $bytes[0] -eq 0x06 -and $bytes[1] -eq 0x02) {
        $rsa.ImportCspBlob($bytes)
        return $rsa
    }
    $outer = Read-DerElement -Bytes $bytes -Offset 0
    if ($outer.Tag -ne 0x30) { throw (New-AgentError -Code 'GUEST_KEY_INVALID' -Message 'The guest public key is neither a CryptoAPI blob nor DER.') }
    $first = Read-DerElement -Bytes $bytes -Offset $outer.Start
    if ($first.Tag -eq 0x30) {
        # SubjectPublicKeyInfo: skip the algorithm, unwrap the BIT STRING (first byte = unused bits).
        $bitString = Read-DerElement -Bytes $bytes -Offset $first.End
        if ($bitString.Tag -ne 0x03) { throw (New-AgentError -Code 'GUEST_KEY_INVALID' -Message 'The guest public key has no BIT STRING.') }
        $inner = New-Object byte[] ($bitString.Length - 1)
        [Array]::Copy($bytes, $bitString.Start + 1, $inner, 0, $bitString.Length - 1)
        $bytes = $inner
        $outer = Read-DerElement -Bytes $bytes -Offset 0
        $first = Read-DerElement -Bytes $bytes -Offset $outer.Start
    }
    if ($first.Tag -ne 0x02) { throw (New-AgentError -Code 'GUEST_KEY_INVALID' -Message 'The guest public key has no modulus.') }
    $exponent = Read-DerElement -Bytes $bytes -Offset $first.End
    $parameters = New-Object System.Security.Cryptography.RSAParameters
    $parameters.Modulus = Get-DerIntegerBytes -Bytes $bytes -Element $first
    $parameters.Exponent = Get-DerIntegerBytes -Bytes $bytes -Element $exponent
    $rsa.ImportParameters($parameters)
    return $rsa
}

function Split-KvpValue {
    # Slices by Unicode code point so a surrogate pair is never cut in half.
    param([Parameter(Mandatory = $true)][string]$Value, [int]$Size = $script:KvpChunkCodePoints)
    $chunks = New-Object System.Collections.Generic.List[string]
    $builder = New-Object System.Text.StringBuilder
    $count = 0
    $i = 0
    while ($i -lt $Value.Length) {
        $width = 1
        if ([char]::IsHighSurrogate($Value[$i]) -and ($i + 1) -lt $Value.Length -and [char]::IsLowSurrogate($Value[$i + 1])) { $width = 2 }
        $null = $builder.Append($Value.Substring($i, $width))
        $count++
        $i += $width
        if ($count -eq $Size) {
            $chunks.Add($builder.ToString())
            $null = $builder.Clear()
            $count = 0
        }
    }
    if ($builder.Length -gt 0) { $chunks.Add($builder.ToString()) }
    # Unrolled on purpose: callers collect with @() like any other command output.
    return $chunks.ToArray()
}

function Protect-KvpValue {
    # AES-256-CBC, PKCS#7, fresh IV per value; output base64(IV || ciphertext).
    param([Parameter(Mandatory = $true)][byte[]]$Key, [Parameter(Mandatory = $true)][AllowEmptyString()][string]$PlainText)
    $aes = New-Object System.Security.Cryptography.AesCryptoServiceProvider
    try {
        $aes.KeySize = 256
        $aes.Mode = [System.Security.Cryptography.CipherMode]::CBC
        $aes.Padding = [System.Security.Cryptography.PaddingMode]::PKCS7
        $aes.Key = $Key
        $aes.GenerateIV()
        $plain = [System.Text.Encoding]::UTF8.GetBytes($PlainText)
        $encryptor = $aes.CreateEncryptor()
        $cipher = $encryptor.TransformFinalBlock($plain, 0, $plain.Length)
        $combined = New-Object byte[] ($aes.IV.Length + $cipher.Length)
        [Array]::Copy($aes.IV, 0, $combined, 0, $aes.IV.Length)
        [Array]::Copy($cipher, 0, $combined, $aes.IV.Length, $cipher.Length)
        return [Convert]::ToBase64String($combined)
    } finally {
        $aes.Dispose()
    }
}

function Get-KvpChecksum {
    # HMAC-SHA256 keyed with the AES key over the published plaintext values, ordered by full
    # key name (ordinal), joined with '|'. Keyed, so the published checksum reveals nothing
    # about the secrets to a reader of the KVP pool who lacks the guest's private key.
    param([Parameter(Mandatory = $true)][byte[]]$Key, [Parameter(Mandatory = $true)][hashtable]$Values)
    $names = New-Object System.Collections.Generic.List[string]
    foreach ($name in $Values.Keys) { $names.Add([string]$name) }
    $names.Sort([StringComparer]::Ordinal)
    $joined = (@($names | ForEach-Object { [string]$Values[$_] }) -join '|')
    $hmac = New-Object System.Security.Cryptography.HMACSHA256 -ArgumentList (, $Key)
    try {
        return [Convert]::ToBase64String($hmac.ComputeHash([System.Text.Encoding]::UTF8.GetBytes($joined)))
    } finally {
        $hmac.Dispose()
    }
}

function Wait-KvpGuestState {
    # Polls hlvmm.meta.guest_provisioning_system_state until one of the wanted states appears.
    # A guest that reports provisioningfailed ends the wait at once with its own summary.
    param(
        [Parameter(Mandatory = $true)][Guid]$VmId,
        [Parameter(Mandatory = $true)][string[]]$Wanted,
        [Parameter(Mandatory = $true)][int]$TimeoutSeconds,
        [int]$PollSeconds = 5,
        [string]$Step = 'guest'
    )
    $deadline = [DateTime]::UtcNow.AddSeconds($TimeoutSeconds)
    $lastState = ''
    while ($true) {
        $items = Get-KvpGuestItems -VmId $VmId
        $state = ''
        if ($items.ContainsKey('hlvmm.meta.guest_provisioning_system_state')) { $state = [string]$items['hlvmm.meta.guest_provisioning_system_state'] }
        if ($state -ne $lastState) {
            Write-AgentLog -Message ('Guest state: ' + $state) -Step $Step
            $lastState = $state
        }
        if ($Wanted -contains $state) { return $items }
        if ($state -eq 'provisioningfailed') {
            $summary = 'error:unknown'
            if ($items.ContainsKey('hlvmm.meta.guest_provisioning_error') -and $items['hlvmm.meta.guest_provisioning_error']) { $summary = [string]$items['hlvmm.meta.guest_provisioning_error'] }
            throw (New-AgentError -Code 'GUEST_PROVISIONING_FAILED' -Message ('The guest reported a provisioning failure: ' + $summary) -Details ([ordered]@{ vmId = $VmId.ToString(); guestError = $summary }))
        }
        if ([DateTime]::UtcNow -gt $deadline) {
            throw (New-AgentError -Code 'GUEST_TIMEOUT' -Message ('Step ' + $Step + ': the guest did not reach ' + ($Wanted -join ' or ') + ' within ' + $TimeoutSeconds + ' s (last state: ' + $lastState + '). Check that the VM booted from its image and that integration services (KVP) run in the guest.') -Details ([ordered]@{ vmId = $VmId.ToString(); step = $Step; lastState = $lastState }))
        }
        Start-Sleep -Seconds $PollSeconds
    }
}
