// The login page.
import { defineMessages } from '../define-messages';

export const authMessages = defineMessages('login', {
  en: {
    'login.title': 'Sign in',
    'login.email': 'Email',
    'login.password': 'Password',
    'login.submit': 'Sign in',
    'login.submitting': 'Signing in…',
  },
  zh: {
    'login.title': '登录',
    'login.email': '邮箱',
    'login.password': '密码',
    'login.submit': '登录',
    'login.submitting': '正在登录…',
  },
});
