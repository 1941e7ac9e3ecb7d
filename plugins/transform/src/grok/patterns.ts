/**
 * The standard grok pattern library: the names users write in `%{NAME}` (WORD, INT, IP,
 * TIMESTAMP_ISO8601, COMBINEDAPACHELOG…), written for JavaScript regular expressions (no atomic
 * groups or possessive quantifiers; lookbehind is fine). A definition may use other names with
 * `%{NAME}`; the compiler resolves them. Definitions given by a task (`patternDefinitions`) or
 * read from `patternsDir` replace these by name.
 */

const r = String.raw;

/** An IPv4 octet, 0 to 255, without leading zeros beyond one digit. */
const OCTET = r`(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])`;
/** An IPv6 group of one to four hex digits. */
const H16 = r`[0-9A-Fa-f]{1,4}`;

const IPV6_FORMS = [
  r`(?:${H16}:){7}${H16}`,
  r`(?:${H16}:){6}%{IPV4}`,
  r`(?:${H16}:){1,6}:${H16}`,
  r`(?:${H16}:){1,5}(?::${H16}){1,2}`,
  r`(?:${H16}:){1,4}(?::${H16}){1,3}`,
  r`(?:${H16}:){1,3}(?::${H16}){1,4}`,
  r`(?:${H16}:){1,2}(?::${H16}){1,5}`,
  r`${H16}:(?::${H16}){1,6}`,
  r`(?:${H16}:){1,5}:%{IPV4}`,
  r`::(?:[Ff]{4}(?::0{1,4})?:)?%{IPV4}`,
  r`(?:${H16}:){1,7}:`,
  r`:(?::${H16}){1,7}`,
  r`::`,
];

/** Name → regular expression (with `%{NAME}` references). */
export const STANDARD_PATTERNS: Readonly<Record<string, string>> = Object.freeze({
  // words, spaces, anything
  WORD: r`\b\w+\b`,
  NOTSPACE: r`\S+`,
  SPACE: r`\s*`,
  DATA: r`.*?`,
  GREEDYDATA: r`.*`,
  QUOTEDSTRING: r`"[^"\\]*(?:\\.[^"\\]*)*"|'[^'\\]*(?:\\.[^'\\]*)*'|` + "`[^`\\\\]*(?:\\\\.[^`\\\\]*)*`",
  QS: r`%{QUOTEDSTRING}`,
  UUID: r`[A-Fa-f0-9]{8}-(?:[A-Fa-f0-9]{4}-){3}[A-Fa-f0-9]{12}`,
  URN: r`urn:[0-9A-Za-z][0-9A-Za-z-]{0,31}:(?:%[0-9A-Fa-f]{2}|[0-9A-Za-z()+,.:=@;$_!*'/?#-])+`,

  // numbers
  INT: r`[+-]?[0-9]+`,
  BASE10NUM: r`(?<![0-9.+-])[+-]?(?:[0-9]+(?:\.[0-9]+)?|\.[0-9]+)`,
  NUMBER: r`%{BASE10NUM}`,
  BASE16NUM: r`(?<![0-9A-Fa-f])[+-]?(?:0[xX])?[0-9A-Fa-f]+`,
  BASE16FLOAT: r`\b[+-]?(?:0[xX])?(?:[0-9A-Fa-f]+(?:\.[0-9A-Fa-f]*)?|\.[0-9A-Fa-f]+)\b`,
  POSINT: r`\b[1-9][0-9]*\b`,
  NONNEGINT: r`\b[0-9]+\b`,

  // users and mail
  USERNAME: r`[a-zA-Z0-9._-]+`,
  USER: r`%{USERNAME}`,
  EMAILLOCALPART: r`[a-zA-Z0-9_%+-]+(?:\.[a-zA-Z0-9_%+-]+)*`,
  EMAILADDRESS: r`%{EMAILLOCALPART}@%{HOSTNAME}`,

  // network
  IPV4: r`(?<![0-9])(?:${OCTET}\.){3}${OCTET}(?![0-9])`,
  IPV6: r`(?<![0-9A-Fa-f:])(?:${IPV6_FORMS.join("|")})(?:%[0-9A-Za-z._-]+)?(?![0-9A-Fa-f:]|\.[0-9])`,
  IP: r`%{IPV6}|%{IPV4}`,
  HOSTNAME: r`\b[0-9A-Za-z](?:[0-9A-Za-z-]{0,61}[0-9A-Za-z])?(?:\.[0-9A-Za-z](?:[0-9A-Za-z-]{0,61}[0-9A-Za-z])?)*\b`,
  HOST: r`%{HOSTNAME}`,
  IPORHOST: r`%{IP}|%{HOSTNAME}`,
  HOSTPORT: r`%{IPORHOST}:%{POSINT}`,
  CISCOMAC: r`(?:[A-Fa-f0-9]{4}\.){2}[A-Fa-f0-9]{4}`,
  WINDOWSMAC: r`(?:[A-Fa-f0-9]{2}-){5}[A-Fa-f0-9]{2}`,
  COMMONMAC: r`(?:[A-Fa-f0-9]{2}:){5}[A-Fa-f0-9]{2}`,
  MAC: r`%{CISCOMAC}|%{WINDOWSMAC}|%{COMMONMAC}`,

  // paths and URIs
  UNIXPATH: r`(?:/[\w%!$@:.,+~-]*)+`,
  WINPATH: r`(?:[A-Za-z]+:|\\)(?:\\[^\\?*]*)+`,
  PATH: r`%{UNIXPATH}|%{WINPATH}`,
  TTY: r`/dev/(?:pts|tty[pq]?)?\w*/?[0-9]+`,
  URIPROTO: r`[A-Za-z][A-Za-z0-9+.-]*`,
  URIHOST: r`%{IPORHOST}(?::%{POSINT})?`,
  URIPATH: r`(?:/[A-Za-z0-9$.+!*'(),~:;=@#%&_-]*)+`,
  URIPARAM: r`\?[A-Za-z0-9$.+!*'|(),~@#%&/=:;_?\[\]<>-]*`,
  URIPATHPARAM: r`%{URIPATH}(?:%{URIPARAM})?`,
  URI: r`%{URIPROTO}://(?:%{USER}(?::[^@]*)?@)?(?:%{URIHOST})?(?:%{URIPATHPARAM})?`,

  // dates and times
  MONTH: r`\b(?:[Jj]an(?:uary)?|[Ff]eb(?:ruary)?|[Mm]ar(?:ch)?|[Aa]pr(?:il)?|[Mm]ay|[Jj]une?|[Jj]uly?|[Aa]ug(?:ust)?|[Ss]ep(?:t(?:ember)?)?|[Oo]ct(?:ober)?|[Nn]ov(?:ember)?|[Dd]ec(?:ember)?)\b`,
  MONTHNUM: r`(?:1[0-2]|0?[1-9])`,
  MONTHNUM2: r`(?:0[1-9]|1[0-2])`,
  MONTHDAY: r`(?:3[01]|[12][0-9]|0?[1-9])`,
  DAY: r`(?:[Mm]on(?:day)?|[Tt]ue(?:s(?:day)?)?|[Ww]ed(?:nesday)?|[Tt]hu(?:r(?:s(?:day)?)?)?|[Ff]ri(?:day)?|[Ss]at(?:urday)?|[Ss]un(?:day)?)`,
  YEAR: r`(?:[0-9]{4}|[0-9]{2})`,
  HOUR: r`(?:2[0-3]|[01]?[0-9])`,
  MINUTE: r`[0-5][0-9]`,
  SECOND: r`(?:60|[0-5]?[0-9])(?:[.,:][0-9]+)?`,
  TIME: r`(?<![0-9])%{HOUR}:%{MINUTE}(?::%{SECOND})(?![0-9])`,
  DATE_US: r`%{MONTHNUM}[/-]%{MONTHDAY}[/-]%{YEAR}`,
  DATE_EU: r`%{MONTHDAY}[./-]%{MONTHNUM}[./-]%{YEAR}`,
  DATE: r`%{DATE_US}|%{DATE_EU}`,
  DATESTAMP: r`%{DATE}[- ]%{TIME}`,
  TZ: r`(?:[APMCE][SD]T|UTC|GMT)`,
  ISO8601_TIMEZONE: r`(?:Z|[+-]%{HOUR}(?::?%{MINUTE})?)`,
  ISO8601_SECOND: r`%{SECOND}`,
  TIMESTAMP_ISO8601: r`%{YEAR}-%{MONTHNUM}-%{MONTHDAY}[T ]%{HOUR}:?%{MINUTE}(?::?%{SECOND})?%{ISO8601_TIMEZONE}?`,
  DATESTAMP_RFC822: r`%{DAY} %{MONTH} %{MONTHDAY} %{YEAR} %{TIME} %{TZ}`,
  DATESTAMP_RFC2822: r`%{DAY}, %{MONTHDAY} %{MONTH} %{YEAR} %{TIME} %{ISO8601_TIMEZONE}`,
  DATESTAMP_OTHER: r`%{DAY} %{MONTH} %{MONTHDAY} %{TIME} %{TZ} %{YEAR}`,
  DATESTAMP_EVENTLOG: r`%{YEAR}%{MONTHNUM2}%{MONTHDAY}%{HOUR}%{MINUTE}%{SECOND}`,
  HTTPDATE: r`%{MONTHDAY}/%{MONTH}/%{YEAR}:%{TIME} %{INT}`,
  SYSLOGTIMESTAMP: r`%{MONTH} +%{MONTHDAY} %{TIME}`,

  // log levels
  LOGLEVEL: r`\b(?:[Tt]race|TRACE|[Dd]ebug|DEBUG|[Ii]nfo(?:rmation)?|INFO(?:RMATION)?|[Nn]otice|NOTICE|[Ww]arn(?:ing)?|WARN(?:ING)?|[Ee]rr(?:or)?|ERR(?:OR)?|[Cc]rit(?:ical)?|CRIT(?:ICAL)?|[Ff]atal|FATAL|[Ss]evere|SEVERE|[Aa]lert|ALERT|[Ee]merg(?:ency)?|EMERG(?:ENCY)?)\b`,

  // syslog
  PROG: r`[\x21-\x5a\x5c\x5e-\x7e]+`,
  SYSLOGPROG: r`%{PROG:program}(?:\[%{POSINT:pid}\])?`,
  SYSLOGHOST: r`%{IPORHOST}`,
  SYSLOGFACILITY: r`<%{NONNEGINT:facility}\.%{NONNEGINT:priority}>`,
  SYSLOGBASE: r`%{SYSLOGTIMESTAMP:timestamp} (?:%{SYSLOGFACILITY} )?%{SYSLOGHOST:logsource} %{SYSLOGPROG}:`,
  SYSLOGLINE: r`%{SYSLOGBASE} %{GREEDYDATA:message}`,

  // web servers
  HTTPDUSER: r`%{EMAILADDRESS}|%{USER}`,
  COMMONAPACHELOG: r`%{IPORHOST:clientip} %{HTTPDUSER:ident} %{HTTPDUSER:auth} \[%{HTTPDATE:timestamp}\] "(?:%{WORD:verb} %{NOTSPACE:request}(?: HTTP/%{NUMBER:httpversion})?|%{DATA:rawrequest})" %{NUMBER:response} (?:%{NUMBER:bytes}|-)`,
  COMBINEDAPACHELOG: r`%{COMMONAPACHELOG} %{QS:referrer} %{QS:agent}`,
  HTTPD_COMMONLOG: r`%{COMMONAPACHELOG}`,
  HTTPD_COMBINEDLOG: r`%{COMBINEDAPACHELOG}`,

  // Java
  JAVACLASS: r`(?:[a-zA-Z$_][a-zA-Z$_0-9]*\.)*[a-zA-Z$_][a-zA-Z$_0-9]*`,
  JAVAFILE: r`(?:[a-zA-Z$_0-9. -]+)`,
  JAVAMETHOD: r`(?:<init>|<clinit>|[a-zA-Z$_][a-zA-Z$_0-9]*)`,
  JAVASTACKTRACEPART: r`\s*at %{JAVACLASS:class}\.%{JAVAMETHOD:method}\(%{JAVAFILE:file}(?::%{NUMBER:line})?\)`,
});

/**
 * Pattern definitions in the text form of pattern files (`patternsDir`): one `NAME regex` per
 * line, blank lines and `#` comments skipped.
 */
export function parsePatternFile(text: string): Record<string, string> {
  const definitions: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const match = /^([A-Za-z0-9_]+)\s+(.*)$/.exec(line);
    if (match) definitions[match[1]!] = match[2]!;
  }
  return definitions;
}
