// Realistic sample rows for the crm tools: the demo tenant's customers, their conversations and follow-up tasks.
import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';

export interface CrmSeedCounts {
  seeded: boolean;
  users: number;
  profiles: number;
  conversations: number;
  messages: number;
  tasks: number;
}

const DAY = 86_400_000;
const MINUTE = 60_000;

@Injectable()
export class CrmDemoData {
  /** Inserts the sample data for a tenant, unless it already has crm users. Times are relative to now. */
  async seed(m: EntityManager, tenantId: string, now = new Date()): Promise<CrmSeedCounts> {
    const [existing] = await m.query(`SELECT 1 FROM crm.users WHERE tenant_id = $1 LIMIT 1`, [tenantId]);
    if (existing) return { seeded: false, users: 0, profiles: 0, conversations: 0, messages: 0, tasks: 0 };
    const ago = (days: number, minutes = 0) => new Date(now.getTime() - days * DAY + minutes * MINUTE).toISOString();

    await m.query(
      `INSERT INTO crm.users (tenant_id, username, display_name, email, phone, tier, created_at)
       SELECT $1, d.username, d.display_name, d.email, d.phone, d.tier, d.created_at
       FROM jsonb_to_recordset($2::jsonb) AS d(username text, display_name text, email text, phone text, tier text, created_at timestamptz)`,
      [tenantId, JSON.stringify(USERS.map(([username, display_name, email, phone, tier, days]) => ({ username, display_name, email, phone, tier, created_at: ago(days) })))],
    );

    await m.query(
      `INSERT INTO crm.customer_profiles (tenant_id, user_id, company, industry, lifetime_value, currency, tags, portrait, updated_at)
       SELECT $1, u.id, d.company, d.industry, d.lifetime_value, d.currency, d.tags, d.portrait, d.updated_at
       FROM jsonb_to_recordset($2::jsonb) AS d(username text, company text, industry text, lifetime_value numeric, currency text,
                                                tags jsonb, portrait jsonb, updated_at timestamptz)
       JOIN crm.users u ON u.tenant_id = $1 AND u.username = d.username`,
      [
        tenantId,
        JSON.stringify(
          PROFILES.map(({ lastContactDays, ...p }) => ({
            ...p,
            updated_at: ago(lastContactDays),
            portrait: { ...p.portrait, last_contact_at: ago(lastContactDays) },
          })),
        ),
      ],
    );

    let messages = 0;
    for (const c of CONVERSATIONS) {
      const started = ago(c.days);
      const rows = c.messages.map(([sender, body, minutes]) => ({ sender, body, sent_at: ago(c.days, minutes) }));
      await m.query(
        `WITH c AS (
           INSERT INTO crm.conversations (tenant_id, user_id, channel, subject, started_at)
           SELECT $1, u.id, $3, $4, $5 FROM crm.users u WHERE u.tenant_id = $1 AND u.username = $2
           RETURNING id
         )
         INSERT INTO crm.messages (tenant_id, conversation_id, sender, body, sent_at)
         SELECT $1, c.id, d.sender, d.body, d.sent_at FROM c, jsonb_to_recordset($6::jsonb) AS d(sender text, body text, sent_at timestamptz)`,
        [tenantId, c.user, c.channel, c.subject, started, JSON.stringify(rows)],
      );
      messages += rows.length;
    }

    await m.query(
      `INSERT INTO crm.tasks (tenant_id, user_id, title, description, status, due_at, created_at, updated_at)
       SELECT $1, u.id, d.title, d.description, d.status, d.due_at, d.created_at, d.created_at
       FROM jsonb_to_recordset($2::jsonb) AS d(username text, title text, description text, status text, due_at timestamptz, created_at timestamptz)
       JOIN crm.users u ON u.tenant_id = $1 AND u.username = d.username`,
      [
        tenantId,
        JSON.stringify(
          TASKS.map(([username, title, description, status, createdDays, dueInDays]) => ({
            username,
            title,
            description,
            status,
            created_at: ago(createdDays),
            due_at: dueInDays === null ? null : ago(-dueInDays),
          })),
        ),
      ],
    );

    return { seeded: true, users: USERS.length, profiles: PROFILES.length, conversations: CONVERSATIONS.length, messages, tasks: TASKS.length };
  }
}

// [username, display name, email, phone, tier, registered days ago]
const USERS: [string, string, string | null, string | null, string, number][] = [
  ['wang.fang', '王芳', 'wang.fang@yunfan-ec.cn', '+86 138 0571 2231', 'vip', 912],
  ['li.na', '李娜', 'lina@hzjiayuan.com', '+86 139 1066 4820', 'premium', 640],
  ['zhang.wei', '张伟', 'zhangwei88@163.com', '+86 186 2135 7709', 'standard', 402],
  ['liu.yang', '刘洋', 'liu.yang@chengxin-logistics.cn', '+86 135 2880 1946', 'standard', 288],
  ['chen.jing', '陈静', 'chenjing@meizhi-design.com', '+86 137 5102 3368', 'premium', 530],
  ['zhao.lei', '赵磊', 'zhao.lei@huaxin-mfg.com', '+86 150 0210 6613', 'enterprise', 1104],
  ['huang.min', '黄敏', null, '+86 188 6623 0417', 'standard', 21],
  ['emily.carter', 'Emily Carter', 'emily.carter@northwind-retail.com', '+1 415 555 0142', 'premium', 720],
  ['james.wilson', 'James Wilson', 'jwilson@gmail.com', '+44 20 7946 0321', 'standard', 133],
  ['sophia.martinez', 'Sophia Martinez', 'sophia@brightpath.io', '+1 512 555 0178', 'vip', 1290],
  ['michael.chen', 'Michael Chen', 'michael.chen@pacificlink.sg', '+65 6123 4587', 'enterprise', 856],
  ['olivia.brown', 'Olivia Brown', 'olivia.brown@outlook.com', null, 'standard', 47],
];

interface DemoProfile {
  username: string;
  company: string | null;
  industry: string | null;
  lifetime_value: number;
  currency: string;
  tags: string[];
  lastContactDays: number;
  portrait: {
    summary: string;
    segments: string[];
    preferences: { language: string; channel: string; contact_time: string };
    churn_risk: 'low' | 'medium' | 'high';
    satisfaction: number;
    next_best_action: string;
  };
}

// huang.min, who registered three weeks ago, has no customer profile yet.
const PROFILES: DemoProfile[] = [
  {
    username: 'wang.fang',
    company: '杭州云帆电子商务有限公司',
    industry: '电子商务',
    lifetime_value: 286400,
    currency: 'CNY',
    tags: ['大客户', '年度续约', '多门店'],
    lastContactDays: 2,
    portrait: {
      summary: '云帆电商运营总监，负责 12 家门店的智能收银设备采购，决策快，重视售后响应速度。',
      segments: ['key_account', 'retail_chain', 'renewal_due_90d'],
      preferences: { language: 'zh-CN', channel: 'wechat', contact_time: '工作日 10:00-12:00' },
      churn_risk: 'low',
      satisfaction: 4.7,
      next_best_action: '续约前安排客户成功经理上门回访，介绍新版库存模块。',
    },
  },
  {
    username: 'li.na',
    company: '杭州嘉园物业服务有限公司',
    industry: '物业管理',
    lifetime_value: 98200,
    currency: 'CNY',
    tags: ['发票敏感', '季度结算'],
    lastContactDays: 5,
    portrait: {
      summary: '嘉园物业财务主管，关注发票与对账的准确性，对流程变更比较谨慎。',
      segments: ['smb', 'finance_contact'],
      preferences: { language: 'zh-CN', channel: 'email', contact_time: '工作日下午' },
      churn_risk: 'medium',
      satisfaction: 3.9,
      next_best_action: '本季度发票开具后主动发送对账单，减少往返沟通。',
    },
  },
  {
    username: 'zhang.wei',
    company: null,
    industry: null,
    lifetime_value: 4380,
    currency: 'CNY',
    tags: ['个人用户', '曾退货'],
    lastContactDays: 1,
    portrait: {
      summary: '个人用户，购买过两台智能门锁，最近一次订单物流延误，情绪有些急躁。',
      segments: ['consumer', 'recent_complaint'],
      preferences: { language: 'zh-CN', channel: 'web_chat', contact_time: '晚上 19:00 以后' },
      churn_risk: 'high',
      satisfaction: 2.8,
      next_best_action: '先道歉并给出明确的送达时间，可提供 50 元优惠券作为补偿。',
    },
  },
  {
    username: 'liu.yang',
    company: '成信物流（上海）有限公司',
    industry: '物流',
    lifetime_value: 36750,
    currency: 'CNY',
    tags: ['试用转付费'],
    lastContactDays: 12,
    portrait: {
      summary: '成信物流 IT 负责人，去年从试用转为付费，正在评估是否扩展到全国网点。',
      segments: ['smb', 'expansion_candidate'],
      preferences: { language: 'zh-CN', channel: 'phone', contact_time: '工作日 9:00-11:00' },
      churn_risk: 'low',
      satisfaction: 4.2,
      next_best_action: '发送多网点部署方案与阶梯报价。',
    },
  },
  {
    username: 'chen.jing',
    company: '美智设计工作室',
    industry: '设计服务',
    lifetime_value: 52900,
    currency: 'CNY',
    tags: ['高频工单', '功能建议者'],
    lastContactDays: 3,
    portrait: {
      summary: '美智设计创始人，使用频繁，经常提出产品改进建议，愿意参加新功能内测。',
      segments: ['power_user', 'beta_program'],
      preferences: { language: 'zh-CN', channel: 'wechat', contact_time: '随时，周末也可' },
      churn_risk: 'low',
      satisfaction: 4.5,
      next_best_action: '邀请参加下月的移动端内测。',
    },
  },
  {
    username: 'zhao.lei',
    company: '华信精密制造股份有限公司',
    industry: '制造业',
    lifetime_value: 1268000,
    currency: 'CNY',
    tags: ['战略客户', '私有化部署', 'SLA 99.9%'],
    lastContactDays: 7,
    portrait: {
      summary: '华信制造信息中心总经理，私有化部署，合同含 99.9% SLA，任何故障都需要升级到二线。',
      segments: ['strategic', 'on_premise', 'sla_contract'],
      preferences: { language: 'zh-CN', channel: 'phone', contact_time: '工作日全天，紧急情况 7x24' },
      churn_risk: 'medium',
      satisfaction: 4.0,
      next_best_action: '提交上月故障的根因分析报告，并约季度业务回顾会议。',
    },
  },
  {
    username: 'emily.carter',
    company: 'Northwind Retail',
    industry: 'Retail',
    lifetime_value: 41800,
    currency: 'USD',
    tags: ['multi-store', 'early-adopter'],
    lastContactDays: 4,
    portrait: {
      summary: 'Operations manager at Northwind Retail (8 stores on the US west coast); values clear timelines and written follow-ups.',
      segments: ['mid_market', 'retail_chain'],
      preferences: { language: 'en-US', channel: 'email', contact_time: 'weekday mornings, Pacific time' },
      churn_risk: 'low',
      satisfaction: 4.6,
      next_best_action: 'Share the rollout plan for the new loyalty integration before her Q2 planning meeting.',
    },
  },
  {
    username: 'james.wilson',
    company: null,
    industry: null,
    lifetime_value: 329,
    currency: 'GBP',
    tags: ['consumer', 'warranty-claim'],
    lastContactDays: 6,
    portrait: {
      summary: 'Individual customer in London with a faulty smart thermostat under warranty; polite but waiting on a replacement.',
      segments: ['consumer', 'open_warranty_case'],
      preferences: { language: 'en-GB', channel: 'web_chat', contact_time: 'evenings, UK time' },
      churn_risk: 'medium',
      satisfaction: 3.4,
      next_best_action: 'Confirm the replacement shipping date and send the tracking link.',
    },
  },
  {
    username: 'sophia.martinez',
    company: 'BrightPath Learning',
    industry: 'Education',
    lifetime_value: 187500,
    currency: 'USD',
    tags: ['vip', 'reference-customer', 'annual-contract'],
    lastContactDays: 9,
    portrait: {
      summary: 'COO of BrightPath Learning, a long-standing reference customer; expects proactive communication about outages.',
      segments: ['key_account', 'reference', 'education'],
      preferences: { language: 'en-US', channel: 'phone', contact_time: 'Tue-Thu afternoons, Central time' },
      churn_risk: 'low',
      satisfaction: 4.8,
      next_best_action: 'Invite her to the customer advisory board and confirm renewal terms.',
    },
  },
  {
    username: 'michael.chen',
    company: 'PacificLink Logistics Pte Ltd',
    industry: 'Logistics',
    lifetime_value: 512000,
    currency: 'SGD',
    tags: ['enterprise', 'sso', 'apac'],
    lastContactDays: 15,
    portrait: {
      summary: 'Head of IT at PacificLink in Singapore; bilingual (English / 中文), cares about SSO, audit logs and data residency.',
      segments: ['enterprise', 'apac', 'security_review'],
      preferences: { language: 'en-SG', channel: 'email', contact_time: 'weekdays 9:00-18:00 SGT' },
      churn_risk: 'medium',
      satisfaction: 3.8,
      next_best_action: 'Send the data-residency whitepaper and schedule the SSO migration call.',
    },
  },
  {
    username: 'olivia.brown',
    company: null,
    industry: null,
    lifetime_value: 89,
    currency: 'USD',
    tags: ['new-customer', 'trial'],
    lastContactDays: 10,
    portrait: {
      summary: 'New customer on a 30-day trial; has asked how to invite family members.',
      segments: ['consumer', 'trial'],
      preferences: { language: 'en-US', channel: 'app', contact_time: 'weekends' },
      churn_risk: 'high',
      satisfaction: 4.0,
      next_best_action: 'Send the getting-started guide and a reminder three days before the trial ends.',
    },
  },
];

interface DemoConversation {
  user: string;
  channel: 'web_chat' | 'email' | 'phone' | 'wechat' | 'app';
  subject: string;
  days: number;
  /** [sender, body, minutes after the conversation started] */
  messages: ['user' | 'agent', string, number][];
}

const CONVERSATIONS: DemoConversation[] = [
  {
    user: 'wang.fang',
    channel: 'wechat',
    subject: '门店收银机批量升级',
    days: 2,
    messages: [
      ['user', '你好，我们 12 家门店的收银机想统一升级到新版系统，需要停机多久？', 0],
      ['agent', '王总您好！单台升级大约 15 分钟，可以安排在闭店后分批进行，不影响营业。', 3],
      ['user', '好的，能不能这周四晚上先升级杭州的 5 家？', 6],
      ['agent', '可以，我已为您预约周四 22:00 开始，升级完成后会发送报告给您。', 9],
      ['user', '谢谢，辛苦了。', 11],
    ],
  },
  {
    user: 'wang.fang',
    channel: 'phone',
    subject: '年度合同续约咨询',
    days: 30,
    messages: [
      ['user', '我们的合同下个季度到期，续约有没有优惠？', 0],
      ['agent', '您是我们的 VIP 客户，续约两年可以享受 9 折，并赠送库存管理模块。', 4],
      ['user', '库存模块能先试用一下吗？', 7],
      ['agent', '可以，我会安排客户成功经理给您开通 30 天试用。', 10],
    ],
  },
  {
    user: 'li.na',
    channel: 'email',
    subject: '第三季度发票抬头错误',
    days: 5,
    messages: [
      ['user', '您好，第三季度的增值税专用发票抬头写成了“嘉园物业管理公司”，正确的是“杭州嘉园物业服务有限公司”，请重开。', 0],
      ['agent', '李女士您好，非常抱歉给您带来不便。请将原发票寄回，我们收到后 3 个工作日内重开。', 95],
      ['user', '原发票已经寄出，顺丰单号 SF1402 7789 3321。', 260],
      ['agent', '已收到单号，我们会跟进，重开后第一时间通知您。', 300],
    ],
  },
  {
    user: 'li.na',
    channel: 'email',
    subject: '对账单金额核对',
    days: 40,
    messages: [
      ['user', '八月份对账单比合同金额多了 1200 元，请核实。', 0],
      ['agent', '经核实，多出的 1200 元是 8 月新增的两个账号的费用，明细已附在邮件中。', 180],
      ['user', '明白了，谢谢。', 400],
    ],
  },
  {
    user: 'zhang.wei',
    channel: 'web_chat',
    subject: '订单物流延误',
    days: 1,
    messages: [
      ['user', '我的订单 202611180031 已经五天了还没到，怎么回事？', 0],
      ['agent', '张先生您好，我查了一下，包裹因为华东地区降雪在中转站滞留了。', 2],
      ['user', '那什么时候能到？我急着用。', 3],
      ['agent', '物流预计明天下午送达。为表歉意，我们给您账户发放了一张 50 元优惠券。', 6],
      ['user', '好吧，希望明天一定能到。', 8],
    ],
  },
  {
    user: 'zhang.wei',
    channel: 'web_chat',
    subject: '智能门锁退货',
    days: 60,
    messages: [
      ['user', '门锁颜色和图片不一样，我想退货。', 0],
      ['agent', '好的，7 天内无理由退货，我已为您生成退货单，快递员明天上门取件。', 4],
      ['user', '退款多久到账？', 5],
      ['agent', '仓库签收后 1-3 个工作日原路退回。', 7],
    ],
  },
  {
    user: 'liu.yang',
    channel: 'phone',
    subject: '多网点部署方案',
    days: 12,
    messages: [
      ['user', '我们打算把系统推广到全国 30 个网点，部署上有什么建议？', 0],
      ['agent', '建议先在华东 5 个网点试点，统一用中心化账号管理，我们可以提供部署顾问。', 6],
      ['user', '价格方面能给个阶梯报价吗？', 12],
      ['agent', '可以，我整理好后发到您的邮箱。', 14],
    ],
  },
  {
    user: 'chen.jing',
    channel: 'wechat',
    subject: '导出 PDF 字体问题',
    days: 3,
    messages: [
      ['user', '导出 PDF 的时候中文字体变成了方块，是不是 bug？', 0],
      ['agent', '陈老师您好，这是上周版本的已知问题，修复版本今晚发布。', 5],
      ['user', '好的，另外建议导出时可以选择字体。', 7],
      ['agent', '好建议！我已经记录并转给产品团队。', 9],
      ['user', '👍', 10],
    ],
  },
  {
    user: 'chen.jing',
    channel: 'app',
    subject: '移动端内测报名',
    days: 20,
    messages: [
      ['user', '听说你们在做移动端，我可以参加内测吗？', 0],
      ['agent', '当然可以，内测预计下个月开始，到时会第一时间邀请您。', 30],
    ],
  },
  {
    user: 'zhao.lei',
    channel: 'phone',
    subject: '私有化部署服务中断',
    days: 7,
    messages: [
      ['user', '今天上午 9 点到 9 点 40 系统无法登录，影响了三条产线的排班，请给一个说法。', 0],
      ['agent', '赵总，非常抱歉。初步判断是数据库主备切换失败，二线工程师已经介入。', 5],
      ['user', '合同里是 99.9% 的 SLA，这次要按合同处理。', 9],
      ['agent', '明白，我们会在 48 小时内提交根因分析报告，并按合同核算服务补偿。', 14],
      ['user', '好，报告直接发给我和我们 IT 经理。', 17],
    ],
  },
  {
    user: 'zhao.lei',
    channel: 'email',
    subject: '季度业务回顾会议',
    days: 45,
    messages: [
      ['agent', '赵总您好，想和您约下个月的季度业务回顾会议，您看哪天方便？', 0],
      ['user', '下个月 15 号下午可以。', 240],
      ['agent', '好的，已发送会议邀请。', 260],
    ],
  },
  {
    user: 'huang.min',
    channel: 'app',
    subject: '注册后收不到验证码',
    days: 21,
    messages: [
      ['user', '注册的时候一直收不到短信验证码。', 0],
      ['agent', '您好，请确认手机号没有开启短信拦截，我这边为您重新发送了一次。', 3],
      ['user', '收到了，谢谢！', 6],
    ],
  },
  {
    user: 'emily.carter',
    channel: 'email',
    subject: 'Loyalty program integration timeline',
    days: 4,
    messages: [
      ['user', 'Hi, could you share when the loyalty program integration will be available? We are planning Q2 rollouts across all 8 stores.', 0],
      ['agent', 'Hi Emily, the integration is scheduled for general availability on the 15th of next month. I will send a written rollout plan this week.', 120],
      ['user', 'Great, please include the training schedule for store staff too.', 200],
      ['agent', 'Will do. The plan will include training sessions and a checklist per store.', 230],
    ],
  },
  {
    user: 'emily.carter',
    channel: 'web_chat',
    subject: 'Receipt printer offline at the Portland store',
    days: 25,
    messages: [
      ['user', 'The receipt printer at our Portland store shows offline since this morning.', 0],
      ['agent', 'Sorry about that! Could you check whether the printer is on the same Wi-Fi network as the register?', 2],
      ['user', 'It was on the guest network. Switched it back and it works now.', 9],
      ['agent', 'Glad it is working. I have added a note to lock the printer to the store network in the next update.', 11],
    ],
  },
  {
    user: 'james.wilson',
    channel: 'web_chat',
    subject: 'Thermostat not holding temperature',
    days: 6,
    messages: [
      ['user', 'My thermostat keeps dropping to 15°C overnight even though the schedule says 19°C.', 0],
      ['agent', 'Thanks James. We ran a remote diagnostic and the temperature sensor is faulty; it is covered by your warranty.', 5],
      ['user', 'OK, how long will a replacement take?', 7],
      ['agent', 'A replacement ships within 3 working days; you will receive a tracking link by email.', 10],
    ],
  },
  {
    user: 'sophia.martinez',
    channel: 'phone',
    subject: 'Renewal terms and advisory board',
    days: 9,
    messages: [
      ['user', 'We would like to renew for three years. Can we lock in the current pricing?', 0],
      ['agent', 'Absolutely, Sophia. For a three-year term we can hold current pricing and add priority support.', 4],
      ['user', 'Perfect. Also, I heard about a customer advisory board?', 8],
      ['agent', 'Yes, we would love to have you on it. I will send the invitation and the renewal paperwork today.', 11],
    ],
  },
  {
    user: 'sophia.martinez',
    channel: 'email',
    subject: 'Outage notification request',
    days: 50,
    messages: [
      ['user', 'During last week\'s outage we only learned about it from teachers. Can we get proactive notifications?', 0],
      ['agent', 'You are right, and I apologise. I have subscribed your team to our status page alerts and added you to the incident call list.', 90],
      ['user', 'Thank you, that helps a lot.', 300],
    ],
  },
  {
    user: 'michael.chen',
    channel: 'email',
    subject: 'SSO migration to Azure AD',
    days: 15,
    messages: [
      ['user', 'We are moving our identity provider to Azure AD next quarter. What do we need to change on your side?', 0],
      ['agent', 'Hi Michael, you will need to add a new SAML connection; existing sessions keep working during the switch. I can walk your team through it on a call.', 150],
      ['user', 'Please also confirm where our audit logs are stored. 我们需要确认数据是否留在新加坡。', 400],
      ['agent', 'Your data, including audit logs, is stored in our Singapore region and never leaves it. I will send the data-residency whitepaper.', 460],
    ],
  },
  {
    user: 'michael.chen',
    channel: 'phone',
    subject: 'Invoice currency change',
    days: 70,
    messages: [
      ['user', 'Can future invoices be issued in SGD instead of USD?', 0],
      ['agent', 'Yes, from the next billing cycle invoices will be in SGD at the contracted rate.', 5],
      ['user', 'Thanks, please confirm by email.', 7],
    ],
  },
  {
    user: 'olivia.brown',
    channel: 'app',
    subject: 'Inviting family members',
    days: 10,
    messages: [
      ['user', 'How do I invite my husband to share the account?', 0],
      ['agent', 'Go to Settings → Family, tap "Invite" and enter his email. He will get a link to join.', 4],
      ['user', 'Found it, thanks!', 6],
    ],
  },
];

// [username, title, description, status, created days ago, due in days (negative: overdue) or null]
const TASKS: [string, string, string, 'open' | 'in_progress' | 'done' | 'cancelled', number, number | null][] = [
  ['wang.fang', '周四晚升级杭州 5 家门店收银机', '22:00 开始分批升级，完成后把升级报告发给王总。', 'in_progress', 2, 1],
  ['wang.fang', '开通库存管理模块 30 天试用', '续约前让客户先试用库存模块。', 'done', 30, null],
  ['wang.fang', '续约前上门回访', '客户成功经理上门，介绍新版库存模块和两年续约方案。', 'open', 2, 21],
  ['li.na', '重开第三季度增值税专用发票', '正确抬头：杭州嘉园物业服务有限公司。收到原发票后 3 个工作日内重开。', 'in_progress', 5, 3],
  ['li.na', '发送第四季度对账单', '开票后主动发送对账单和明细。', 'open', 5, 30],
  ['zhang.wei', '跟进订单 202611180031 送达情况', '确认明天下午送达，未送达则升级给物流主管。', 'open', 1, 1],
  ['zhang.wei', '退货退款确认', '仓库签收后确认退款已原路退回。', 'done', 60, null],
  ['liu.yang', '发送多网点阶梯报价', '30 个网点，先华东 5 个试点，附部署顾问服务。', 'open', 12, -2],
  ['liu.yang', '安排部署顾问电话', '', 'cancelled', 12, null],
  ['chen.jing', '确认 PDF 中文字体修复', '修复版本发布后请陈老师重新导出确认。', 'done', 3, null],
  ['chen.jing', '邀请参加移动端内测', '内测开始时发送邀请码。', 'open', 20, 14],
  ['zhao.lei', '提交服务中断根因分析报告', '48 小时内提交，抄送客户 IT 经理。按 SLA 核算补偿。', 'in_progress', 7, -5],
  ['zhao.lei', '核算 SLA 服务补偿', '根据 40 分钟中断时长和合同条款计算。', 'open', 7, 7],
  ['zhao.lei', '季度业务回顾会议准备', '准备使用数据、故障回顾和下季度计划。', 'done', 45, null],
  ['huang.min', '新用户首周回访', '确认注册和首次使用顺利。', 'open', 20, -13],
  ['emily.carter', 'Send loyalty integration rollout plan', 'Include GA date, per-store checklist and staff training schedule.', 'in_progress', 4, 2],
  ['emily.carter', 'Lock printers to store network in next update', 'Follow-up from the Portland printer incident.', 'open', 25, 20],
  ['james.wilson', 'Ship replacement thermostat', 'Warranty replacement; email the tracking link when shipped.', 'in_progress', 6, -3],
  ['james.wilson', 'Check thermostat works after replacement', 'Call back one week after delivery.', 'open', 6, 10],
  ['sophia.martinez', 'Send three-year renewal paperwork', 'Hold current pricing, add priority support.', 'open', 9, 5],
  ['sophia.martinez', 'Send customer advisory board invitation', '', 'done', 9, null],
  ['sophia.martinez', 'Add BrightPath to incident call list', 'Proactive outage notifications.', 'done', 50, null],
  ['michael.chen', 'Send data-residency whitepaper', 'Confirm audit logs stay in the Singapore region.', 'open', 15, -1],
  ['michael.chen', 'Schedule Azure AD SSO migration call', 'New SAML connection; walk their IT team through the switch.', 'open', 15, 12],
  ['olivia.brown', 'Trial ending reminder', 'Remind three days before the 30-day trial ends, with the upgrade options.', 'open', 10, 17],
];
