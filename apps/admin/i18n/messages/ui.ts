// Strings of the shared UI kit in features/ui (dialogs, toasts, copy button, form fields).
import { defineMessages } from '../define-messages';

export const uiMessages = defineMessages('ui', {
  en: {
    'ui.copy': 'Copy',
    'ui.copied': 'Copied',
    'ui.copyFailed': 'Could not copy; select the text and copy it yourself.',
    'ui.closeDialog': 'Close dialog',
    'ui.dismiss': 'Dismiss',
    'ui.notifications': 'Notifications',
    'ui.confirm': 'Confirm',
    'ui.required': 'required',
    'ui.loadingSection': 'Loading {name}',
    'ui.rateLimitsHint': 'Leave empty for no limit.',
    'ui.limitInvalid': 'A whole number, 1 or more.',
    'ui.limitPerMinute': '{count} per minute',
    'ui.limitPerDay': '{count} per day',
    'ui.noLimit': 'No limit',
  },
  zh: {
    'ui.copy': '复制',
    'ui.copied': '已复制',
    'ui.copyFailed': '无法复制，请手动选择文本后复制。',
    'ui.closeDialog': '关闭对话框',
    'ui.dismiss': '关闭',
    'ui.notifications': '通知',
    'ui.confirm': '确认',
    'ui.required': '必填',
    'ui.loadingSection': '正在加载{name}',
    'ui.rateLimitsHint': '留空表示不限制。',
    'ui.limitInvalid': '请输入不小于 1 的整数。',
    'ui.limitPerMinute': '每分钟 {count} 次',
    'ui.limitPerDay': '每天 {count} 次',
    'ui.noLimit': '不限制',
  },
});
