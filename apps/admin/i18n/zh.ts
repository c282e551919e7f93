// Simplified Chinese. Typed as Messages so a missing or extra key fails the build.
import type { Messages } from './en';

export const zh: Messages = {
  'app.name': 'Toolgate',
  'app.tagline': '管理控制台',

  'common.loading': '加载中…',
  'common.retry': '重试',
  'common.comingSoon': '即将推出',
  'common.comingSoonBody': '此页面将在后续版本中提供。',

  'errors.network': '无法连接到 Toolgate API。请检查网络连接后重试。',
  'errors.unexpected': '出现问题，请重试。',
  'errors.requestId': '请求 ID：{requestId}',

  'locale.label': '语言',
  'locale.en': 'English',
  'locale.zh': '简体中文',

  'login.title': '登录',
  'login.email': '邮箱',
  'login.password': '密码',
  'login.submit': '登录',
  'login.submitting': '正在登录…',

  'shell.tenant': '租户',
  'shell.logout': '退出登录',
  'shell.mainNav': '主导航',
  'shell.sessionError': '无法加载会话信息。',
  'shell.noTenantTitle': '没有租户访问权限',
  'shell.noTenantBody': '您的账号尚未加入任何租户。请联系租户所有者邀请您。',

  'role.owner': '所有者',
  'role.admin': '管理员',
  'role.auditor': '审计员',
  'role.viewer': '查看者',

  'nav.groups': '工具组',
  'nav.keys': '密钥',
  'nav.tools': '工具',
  'nav.logs': '调用日志',
  'nav.audit': '审计',

  'groups.title': '工具组',
  'groups.intro': '每个工具组都是一个 MCP 端点，智能体只能使用该组中的工具。',
  'groups.loading': '正在加载工具组',
  'groups.loadError': '无法加载工具组。',
  'groups.emptyTitle': '暂无工具组',
  'groups.emptyBody': '工具组及其供智能体连接的 MCP 端点将显示在这里。',
  'groups.colName': '名称',
  'groups.colEndpoint': 'MCP 端点',
  'groups.colStatus': '状态',
  'groups.colUpdated': '更新时间',
  'groups.enabled': '已启用',
  'groups.disabled': '已停用',
  'groups.copy': '复制',
  'groups.copied': '已复制',
  'groups.copyLabel': '复制 {name} 的 MCP 端点',
};
