import { Type, type Static } from '@sinclair/typebox';

export const NotificationLevel = Type.Union([
  Type.Literal('info'),
  Type.Literal('success'),
  Type.Literal('warning'),
  Type.Literal('error'),
]);

export const AppNotification = Type.Object({
  id: Type.String(),
  level: NotificationLevel,
  title: Type.String(),
  message: Type.String(),
  createdAt: Type.String(),
  updatedAt: Type.String(),
  read: Type.Boolean(),
  /** A persistent notification (e.g. deployment progress) is updated in place, not duplicated. */
  key: Type.Optional(Type.String()),
  hostId: Type.Optional(Type.String()),
  jobId: Type.Optional(Type.String()),
});
export type AppNotification = Static<typeof AppNotification>;
