import type { PolicyFile, PolicyRule } from './schema.js';

/**
 * The default safety policy (a user policy file, YAML of the same shape, is merged on top: its
 * rules are added, and a rule with the same `id` replaces the default). Words match whole words,
 * case-insensitively; patterns are regular expressions.
 *
 * Written as data, not as YAML text: every process that runs steps loads it, and parsing and
 * checking it as YAML took 25-30 ms of a test worker's start. A unit test checks it against the
 * policy schema as a user file is checked (test/unit/policy/policy.test.ts).
 */

/** Terminal-like apps: Enter there runs what was typed. */
const TERMINALS = ['xterm', 'uxterm', 'gnome-terminal', 'konsole', 'xfce4-terminal', 'terminator', 'tilix', 'alacritty', 'kitty', 'terminal', 'powershell', 'cmd.exe', 'bash', 'zsh', 'wezterm', 'iterm', 'iterm2'];

const RULES: Omit<PolicyRule, 'action'>[] = [
  {
    id: 'send',
    class: 'send',
    says: 'sends or posts something to other people',
    kinds: ['click', 'double_click', 'key'],
    target_words: ['send', 'send now', 'post', 'publish', 'tweet', 'reply', 'reply all', 'forward', 'share', 'comment', 'broadcast', 'upload'],
    keys: ['ctrl+enter', 'ctrl+return', 'alt+s'],
  },
  {
    id: 'pay',
    class: 'pay',
    says: 'pays or buys something',
    kinds: ['click', 'double_click', 'key'],
    target_words: ['pay', 'pay now', 'buy', 'buy now', 'purchase', 'checkout', 'check out', 'place order', 'order now', 'confirm order', 'confirm payment', 'donate', 'subscribe', 'add to cart', 'transfer', 'wire', 'bid', 'top up'],
  },
  {
    id: 'pay-context',
    class: 'pay',
    says: 'confirms on a payment page',
    kinds: ['click', 'double_click', 'key'],
    target_words: ['confirm', 'continue', 'ok', 'next', 'proceed'],
    context_words: ['payment', 'checkout', 'credit card', 'billing', 'purchase', 'transfer', 'invoice total'],
  },
  {
    id: 'delete',
    class: 'delete',
    says: 'deletes, erases or overwrites something',
    kinds: ['click', 'double_click', 'key', 'drag'],
    target_words: ['delete', 'delete all', 'remove', 'erase', 'discard', 'trash', 'move to trash', 'empty trash', 'destroy', 'wipe', 'format disk', 'uninstall', 'clear all', 'clear history', 'clear data', 'permanently delete', 'purge', 'overwrite', 'replace all', 'reset', 'factory reset'],
    keys: ['shift+delete', 'ctrl+shift+delete'],
  },
  {
    id: 'delete-confirm',
    class: 'delete',
    says: 'confirms a deletion or overwrite dialog',
    kinds: ['click', 'double_click', 'key'],
    target_words: ['ok', 'yes', 'confirm', 'continue', 'replace', 'overwrite'],
    context_words: ['delete', 'deleted', 'remove', 'erase', 'overwrite', 'replace', 'already exists', 'permanently', 'cannot be undone', 'discard'],
  },
  {
    id: 'credentials',
    class: 'credentials',
    says: 'enters or reveals credentials or a 2FA code',
    kinds: ['type'],
    target_words: ['password', 'passcode', 'passphrase', 'pin', 'otp', '2fa', 'one-time code', 'verification code', 'security code', 'authenticator', 'secret', 'api key', 'token', 'cvv', 'cvc', 'card number', 'ssn'],
    typed_patterns: ['\\{\\{secret:[\\w.-]+\\}\\}'],
  },
  {
    id: 'credentials-ui',
    class: 'credentials',
    says: 'changes or reveals credentials',
    kinds: ['click', 'double_click'],
    target_words: ['change password', 'reset password', 'show password', 'reveal password', 'export passwords', 'generate api key', 'revoke', 'sign in with', 'authorize', 'allow access', 'grant access'],
  },
  {
    id: 'system-settings',
    class: 'system_settings',
    says: 'changes system or security settings',
    kinds: ['click', 'double_click', 'key', 'type'],
    window_words: ['settings', 'system settings', 'control panel', 'preferences', 'security', 'privacy', 'firewall', 'users and groups', 'user accounts', 'registry editor', 'group policy', 'network connections'],
    target_words: ['apply', 'save', 'ok', 'enable', 'disable', 'turn off', 'turn on', 'allow', 'block', 'change', 'add user', 'remove user', 'administrator', 'firewall'],
  },
  {
    id: 'system-keys',
    class: 'system_settings',
    says: 'a system-wide key',
    kinds: ['key'],
    keys: ['ctrl+alt+delete', 'ctrl+alt+backspace', 'super+l', 'meta+l', 'alt+sysrq'],
  },
  {
    id: 'install',
    class: 'install',
    says: 'installs software',
    kinds: ['click', 'double_click', 'type'],
    target_words: ['install', 'install now', 'update now', 'upgrade', 'add extension', 'add to chrome', 'run installer', 'setup.exe', '.msi', '.deb', '.dmg', '.pkg', 'sideload'],
    typed_patterns: ['\\b(apt|apt-get|dnf|yum|pacman|zypper|brew|choco|winget|snap|flatpak)\\s+(install|add|upgrade)\\b', '\\b(pip3?|npm|pnpm|yarn|gem|cargo)\\s+(install|add|i)\\b', 'dpkg\\s+-i', 'Install-Package|Install-Module'],
  },
  {
    id: 'open-url',
    class: 'send',
    says: 'opens a web address (the address itself can carry data to that site)',
    kinds: ['launch'],
    typed_patterns: ['^\\s*(https?|ftp)://'],
  },
  {
    id: 'launch-risky',
    class: 'run_command',
    says: 'opens a program that runs commands or changes the system',
    kinds: ['launch'],
    target_words: ['sudo', 'su', 'rm', 'dd', 'mkfs', 'regedit', 'powershell', 'cmd', 'bash', 'sh', 'zsh', 'curl', 'wget', 'shutdown', 'reboot', 'format', 'diskpart', 'chmod', 'chown', 'systemctl'],
  },
  {
    id: 'terminal-enter',
    class: 'run_command',
    says: 'runs a command in a terminal',
    kinds: ['key', 'type'],
    in_terminal: true,
    // Enter after any of these (or a typed string containing a newline with them) runs a risky command.
    command_patterns: ['(^|[;&|]\\s*|\\s)(sudo|su|rm|rmdir|dd|mkfs(\\.\\w+)?|shred|chmod|chown|kill|killall|pkill|shutdown|reboot|halt|poweroff|systemctl|service|crontab|mv|truncate|format|del|rd|erase|diskpart|reg|Remove-Item|Stop-Computer|Restart-Computer|git\\s+push|git\\s+reset\\s+--hard|git\\s+clean|docker\\s+rm|kubectl\\s+delete|ssh|scp|rsync|nc|ncat|telnet|eval|exec|python3?\\s+-c|node\\s+-e|perl\\s+-e)\\b', '(curl|wget|iwr|Invoke-WebRequest)\\b.*\\|\\s*(sudo\\s+)?(sh|bash|zsh|python3?|iex|powershell)', '>\\s*/dev/sd', ':\\(\\)\\s*\\{\\s*:\\|:&\\s*\\};:', '>\\s*~?/?\\S*\\.(bashrc|profile|zshrc)'],
  },
  {
    id: 'terms',
    class: 'accept_terms',
    says: 'accepts terms, a licence or a legal agreement',
    kinds: ['click', 'double_click'],
    target_words: ['i agree', 'i accept', 'accept terms', 'accept the terms', 'accept and continue', 'agree and continue', 'accept all cookies', 'e-sign', 'sign contract', 'i have read and agree'],
  },
  {
    id: 'terms-context',
    class: 'accept_terms',
    says: 'accepts terms shown on screen',
    kinds: ['click', 'double_click', 'key'],
    target_words: ['agree', 'accept', 'accept all', 'consent', 'sign', 'ok', 'continue', 'yes'],
    context_words: ['terms', 'conditions', 'terms of service', 'licence', 'license', 'agreement', 'eula', 'privacy policy', 'cookies', 'contract', 'legally binding'],
  },
];

/** Every default rule asks the person (the schema's default action). */
export const DEFAULT_POLICY: PolicyFile = {
  version: 1,
  terminals: TERMINALS,
  rules: RULES.map((r) => ({ ...r, action: 'confirm' })),
};
