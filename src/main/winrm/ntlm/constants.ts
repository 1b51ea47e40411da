/** NTLM constants from MS-NLMP §2.2.2.5 (negotiate flags) and §2.2.2.1 (AV pair ids). */

export const NTLMSSP_SIGNATURE = Buffer.from('NTLMSSP\0', 'latin1');

export const MessageType = { Negotiate: 1, Challenge: 2, Authenticate: 3 } as const;

export const Flags = {
  UNICODE: 0x00000001,
  OEM: 0x00000002,
  REQUEST_TARGET: 0x00000004,
  SIGN: 0x00000010,
  SEAL: 0x00000020,
  LM_KEY: 0x00000080,
  NTLM: 0x00000200,
  ANONYMOUS: 0x00000800,
  ALWAYS_SIGN: 0x00008000,
  TARGET_TYPE_DOMAIN: 0x00010000,
  TARGET_TYPE_SERVER: 0x00020000,
  EXTENDED_SESSIONSECURITY: 0x00080000,
  TARGET_INFO: 0x00800000,
  VERSION: 0x02000000,
  NEGOTIATE_128: 0x20000000,
  KEY_EXCH: 0x40000000,
  NEGOTIATE_56: 0x80000000,
} as const;

/** What we ask for: NTLMv2 with ESS, signing + sealing, 128-bit keys and key exchange (research §2.3.1). */
export const CLIENT_NEGOTIATE_FLAGS =
  (Flags.UNICODE |
    Flags.REQUEST_TARGET |
    Flags.NTLM |
    Flags.SIGN |
    Flags.SEAL |
    Flags.ALWAYS_SIGN |
    Flags.EXTENDED_SESSIONSECURITY |
    Flags.TARGET_INFO |
    Flags.VERSION |
    Flags.NEGOTIATE_128 |
    Flags.KEY_EXCH |
    Flags.NEGOTIATE_56) >>>
  0;

export const AvId = {
  EOL: 0,
  NbComputerName: 1,
  NbDomainName: 2,
  DnsComputerName: 3,
  DnsDomainName: 4,
  DnsTreeName: 5,
  Flags: 6,
  Timestamp: 7,
  SingleHost: 8,
  TargetName: 9,
  ChannelBindings: 10,
} as const;

/** MsvAvFlags bit: the AUTHENTICATE message carries a MIC. */
export const AV_FLAG_MIC_PRESENT = 0x00000002;

/** VERSION structure we advertise (Windows 10 build 19041, NTLMSSP_REVISION_W2K3 = 15). */
export const CLIENT_VERSION = Buffer.from([10, 0, 0x61, 0x4a, 0, 0, 0, 15]);
