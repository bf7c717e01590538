"""Messaging-bot adapters: DingTalk, Feishu, WeCom and Slack callbacks."""
