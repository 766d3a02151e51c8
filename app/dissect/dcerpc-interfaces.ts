/**
 * The DCE/RPC interfaces tshark 4.0 has dissectors for, by interface UUID and version: the name
 * its Protocol column shows (the registered protocol's short name) and the operation names its
 * Info column shows ("NetrShareEnum request"). Extracted from epan/dissectors/packet-dcerpc-*.c
 * (each dcerpc_init_uuid call with its dcerpc_sub_dissector table) of Wireshark 4.0.17; the stubs
 * themselves are not decoded here.
 */

/** Interface name and its operations (an array when the opnums are 0..n-1, else by opnum). */
export type DcerpcInterface = readonly [name: string, ops: readonly string[] | Readonly<Record<number, string>>];

/** By "uuid/version" (the version is the interface's major version). */
export const DCERPC_INTERFACES: Readonly<Record<string, DcerpcInterface>> = {
  '1ff70682-0a51-30e8-076d-740be8cee98b/1': ['ATSVC', ['JobAdd', 'JobDel', 'JobEnum', 'JobGetInfo']],
  '4d37f2dd-ed43-0000-02c0-37cf1e000001/0': ['BOSSVR', [
    'GetServerStatus', 'CreateBnode', 'DeleteBnode', 'SetStatus', 'GetStatus', 'EnumerateInstance', 'GetInstanceInfo',
    'GetInstanceParm', 'AddSUser', 'DeleteSUser', 'ListSUsers', 'ListKeys', 'AddKey', 'DeleteKey', 'GenerateKey',
    'GarbageCollectKeys', 'GetCellName', 'SetTStatus', 'ShutdownAll', 'RestartAll', 'StartupAll', 'SetNoAuthFlag', 'ReBossvr',
    'Restart', 'Install', 'UnInstall', 'GetDates', 'Prune', 'SetRestartTime', 'GetRestartTime', 'GetLog', 'WaitAll', 'SetDebug',
    'GetServerInterfaces'
  ]],
  'eb814e2a-0099-11ca-8678-02608c2ea96e/4': ['BUDB', [
    'AddVolume', 'CreateDump', 'DeleteDump', 'DeleteTape', 'DeleteVDP', 'FindClone', 'FindDump', 'FindLatestDump', 'FinishDump',
    'FinishTape', 'GetDumps', 'GetTapes', 'GetVolumes', 'UseTape', 'GetText', 'GetTextVersion', 'SaveText', 'FreeAllLocks',
    'FreeLock', 'GetInstanceId', 'GetLock', 'DbVerify', 'DumpDB', 'RestoreDbHeader', 'T_GetVersion', 'T_DumpHashTable',
    'T_DumpDatabase', 'GetServerInterfaces', 'AddVolumes'
  ]],
  '1d193c08-000b-11ca-ba1d-02608c2ea96e/4': ['BUTC', [
    'BUTC_PerformDump', 'BUTC_PerformRestore', 'BUTC_AbortDump', 'BUTC_LabelTape', 'BUTC_ReadLabel', 'BUTC_ScanDumps', 'BUTC_TCInfo',
    'BUTC_SaveDb', 'BUTC_RestoreDb', 'BUTC_EndStatus', 'BUTC_GetStatus', 'BUTC_RequestAbort', 'BUTC_ScanStatus',
    'BUTC_GetServerInterfaces'
  ]],
  '257df1c9-c6d3-11ca-8554-08002b1c8f1f/1': ['CDS_CLERK', [
    'AddReplica', 'AllowClearinghouses', 'Combine', 'CreateChild', 'CreateDirectory', 'CreateSoftLink', 'CreateObject', 'DeleteChild',
    'DeleteObject', 'DeleteSoftLink', 'DeleteDirectory', 'DisallowClearinghouses', 'DoUpdate', 'EnumerateAttributes',
    'EnumerateChildren', 'EnumerateObjects', 'EnumerateSoftLinks', 'LinkReplica', 'ModifyAttribute', 'ModifyReplica', 'NewEpoch',
    'ReadAttribute', 'RemoveReplica', 'ResolveName', 'Skulk', 'TestAttribute', 'TestGroup'
  ]],
  'd5579459-8bca-11ca-b771-08002b1c8f1f/1': ['cds_solicit', ['cds_Solicit', 'cds_Advertise', 'cds_SolicitServer']],
  'b97db8b2-4c63-11cf-bff6-08002be23f2f/3': ['CLUSAPI', [
    'OpenCluster', 'CloseCluster', 'SetClusterName', 'GetClusterName', 'GetClusterVersion', 'GetQuorumResource', 'SetQuorumResource',
    'CreateEnum', 'OpenResource', 'CreateResource', 'DeleteResource', 'CloseResource', 'GetResourceState', 'SetResourceName',
    'GetResourceId', 'GetResourceType', 'FailResource', 'OnlineResource', 'OfflineResource', 'AddResourceDependency',
    'RemoveResourceDependency', 'CanResourceBeDependent', 'CreateResEnum', 'AddResourceNode', 'RemoveResourceNode',
    'ChangeResourceGroup', 'CreateResourceType', 'DeleteResourceType', 'GetRootKey', 'CreateKey', 'OpenKey', 'EnumKey', 'SetValue',
    'DeleteValue', 'QueryValue', 'DeleteKey', 'EnumValue', 'CloseKey', 'QueryInfoKey', 'SetKeySecurity', 'GetKeySecurity',
    'OpenGroup', 'CreateGroup', 'DeleteGroup', 'CloseGroup', 'GetGroupState', 'SetGroupName', 'GetGroupId', 'GetNodeId',
    'OnlineGroup', 'OfflineGroup', 'MoveGroup', 'MoveGroupToNode', 'CreateGroupResourceEnum', 'SetGroupNodeList', 'CreateNotify',
    'CloseNotify', 'AddNotifyCluster', 'AddNotifyNode', 'AddNotifyGroup', 'AddNotifyResource', 'AddNotifyKey', 'ReAddNotifyNode',
    'ReAddNotifyGroup', 'ReAddNotifyResource', 'GetNotify', 'OpenNode', 'CloseNode', 'GetNodeState', 'PauseNode', 'ResumeNode',
    'EvictNode', 'NodeResourceControl', 'ResourceControl', 'NodeResourceTypeControl', 'ResourceTypeControl', 'NodeGroupControl',
    'GroupControl', 'NodeNodeControl', 'NodeControl', 'Opnum80NotUsedOnWire', 'OpenNetwork', 'CloseNetwork', 'GetNetworkState',
    'SetNetworkName', 'CreateNetworkEnum', 'GetNetworkId', 'SetNetworkPriorityOrder', 'NodeNetworkControl', 'NetworkControl',
    'AddNotifyNetwork', 'ReAddNotifyNetwork', 'OpenNetInterface', 'CloseNetInterface', 'GetNetInterfaceState', 'GetNetInterface',
    'GetNetInterfaceId', 'NodeNetInterfaceControl', 'NetInterfaceControl', 'AddNotifyNetInterface', 'ReAddNotifyNetInterface',
    'CreateNodeEnum', 'GetClusterVersion2', 'CreateResTypeEnum', 'BackupClusterDatabase', 'NodeClusterControl', 'ClusterControl',
    'UnblockGetNotifyCall', 'SetServiceAccountPassword', 'SetResourceDependencyExpression', 'GetResourceDependencyExpression',
    'Opnum111NotUsedOnWire', 'GetResourceNetworkName', 'ExecuteBatch', 'CreateBatchPort', 'GetBatchNotification', 'CloseBatchPort',
    'OpenClusterEx', 'OpenNodeEx', 'OpenGroupEx', 'OpenResourceEx', 'OpenNetworkEx', 'OpenNetInterfaceEx', 'ChangeCsvState',
    'CreateNodeEnumEx', 'CreateEnumEx', 'PauseNodeEx', 'PauseNodeWithDrainTarget', 'ResumeNodeEx', 'CreateGroupEx', 'OnlineGroupEx',
    'OfflineGroupEx', 'MoveGroupEx', 'MoveGroupToNodeEx', 'CancelClusterGroupOperation', 'OnlineResourceEx', 'OfflineResourceEx',
    'CreateNotifyV2', 'AddNotifyV2', 'GetNotifyV2', 'QueryAllValues', 'StmFindDisk', 'ClusterMrr', 'CreateGroupEnum',
    'CreateResourceEnum', 'ExecuteReadBatch', 'RestartResource', 'GetNotifyAsync', 'Opnum148NotUsedOnWire', 'Opnum149otUsedOnWire',
    'Opnum150NotUsedOnWire', 'Opnum151NotUsedOnWire', 'Opnum152NotUsedOnWire', 'Opnum153NotUsedOnWire', 'Opnum154NotUsedOnWire',
    'AddNotifyResourceTypeV2', 'Opnum156NotUsedOnWire', 'ExecuteReadBatchEx', 'Opnum158NotUsedOnWire', 'Opnum159NotUsedOnWire',
    'Opnum160NotUsedOnWire', 'Opnum161NotUsedOnWire', 'Opnum162NotUsedOnWire', 'CreateGroupSet', 'OpenGroupSet', 'CloseGroupSet',
    'DeleteGroupSet', 'AddGroupToGroupSet', 'RemoveGroupFromGroupSet', 'MoveGroupToGroupSet', 'Opnum170NotUsedOnWire',
    'AddGroupSetDependency', 'AddGroupToGroupSetDependency', 'NodeGroupSetControl', 'GroupSetControl', 'SetGroupDependencyExpression',
    'RemoveClusterGroupDependency', 'SetGroupSetDependencyExpression', 'RemoveGroupSetDependency',
    'RemoveClusterGroupToGroupSetDependency', 'CreateGroupSetEnum', 'CreateNetInterfaceEnum', 'ChangeCsvStateEx',
    'AddGroupToGroupSetEx'
  ]],
  '333a2276-0000-0000-0d00-00809c000000/3': ['CONV', [
    'who_are_you', 'who_are_you2', 'are_you_there', 'who_are_you_auth', 'who_are_you_auth_more'
  ]],
  '4885772c-c6d3-11ca-84c6-08002b1c8f1f/1': ['cprpc_server', ['dnscp_server']],
  '4d37f2dd-ed43-0000-02c0-37cf1e001000/4': ['dce_update', [
    'UPDATE_GetServerInterfaces', 'UPDATE_FetchInfo', 'UPDATE_FetchFile', 'UPDATE_FetchObjectInfo'
  ]],
  '50abc2a4-574d-40b3-9d66-ee4fd5fba076/5': ['DNSSERVER', [
    'DnssrvOperation', 'DnssrvQuery', 'DnssrvComplexOperation', 'DnssrvEnumRecords', 'DnssrvUpdateRecord', 'DnssrvOperation2',
    'DnssrvQuery2', 'DnssrvComplexOperation2', 'DnssrvEnumRecords2', 'DnssrvUpdateRecord2'
  ]],
  'e3514235-4b06-11d1-ab04-00c04fc2dcd2/4': ['DRSUAPI', [
    'DsBind', 'DsUnbind', 'DsReplicaSync', 'DsGetNCChanges', 'DsReplicaUpdateRefs', 'DRSUAPI_REPLICA_ADD', 'DRSUAPI_REPLICA_DEL',
    'DRSUAPI_REPLICA_MODIFY', 'DRSUAPI_VERIFY_NAMES', 'DRSUAPI_GET_MEMBERSHIPS', 'DRSUAPI_INTER_DOMAIN_MOVE',
    'DRSUAPI_GET_NT4_CHANGELOG', 'DsCrackNames', 'DsWriteAccountSpn', 'DRSUAPI_REMOVE_DS_SERVER', 'DRSUAPI_REMOVE_DS_DOMAIN',
    'DsGetDomainControllerInfo', 'DsAddEntry', 'DRSUAPI_EXECUTE_KCC', 'DsReplicaGetInfo', 'DRSUAPI_ADD_SID_HISTORY',
    'DRSUAPI_GET_MEMBERSHIPS2', 'DRSUAPI_REPLICA_VERIFY_OBJECTS', 'DRSUAPI_GET_OBJECT_EXISTENCE', 'DRSUAPI_QUERY_SITES_BY_COST'
  ]],
  '3919286a-b10c-11d0-9ba8-00c04fd92ef5/0': ['DSSETUP', [
    'DsRoleGetPrimaryDomainInformation', 'DsRoleDnsNameToFlatName', 'DsRoleDcAsDc', 'DsRoleDcAsReplica', 'DsRoleDemoteDc',
    'DsRoleGetDcOperationProgress', 'DsRoleGetDcOperationResults', 'DsRoleCancel', 'DsRoleServerSaveStateForUpgrade',
    'DsRoleUpgradeDownlevelServer', 'DsRoleAbortDownlevelServerUpgrade'
  ]],
  'bfca1238-628a-11c9-a073-08002b0dea7a/1': ['DTSPROVIDER', ['ContactProvider', 'ServerRequestProviderTime']],
  '019ee420-682d-11c9-a607-08002b0dea7a/1': ['DTSSTIME_REQ', ['ClerkRequestTime', 'ServerRequestTime']],
  'c681d488-d850-11d0-8c52-00c04fd90f7e/1': ['EFS', [
    'EfsRpcOpenFileRaw', 'EfsRpcReadFileRaw', 'EfsRpcWriteFileRaw', 'EfsRpcCloseRaw', 'EfsRpcEncryptFileSrv', 'EfsRpcDecryptFileSrv',
    'EfsRpcQueryUsersOnFile', 'EfsRpcQueryRecoveryAgents', 'EfsRpcRemoveUsersFromFile', 'EfsRpcAddUsersToFile',
    'EfsRpcSetFileEncryptionKey', 'EfsRpcNotSupported', 'EfsRpcFileKeyInfo', 'EfsRpcDuplicateEncryptionInfoFile'
  ]],
  'e1af8308-5d1f-11c9-91a4-08002b14a0fa/3': ['EPM', ['Insert', 'Delete', 'Lookup', 'Map', 'LookupHandleFree', 'InqObject', 'MgmtDelete']],
  'e1af8308-5d1f-11c9-91a4-08002b14a0fa/4': ['EPMv4', ['Insert', 'Delete', 'Lookup', 'Map', 'LookupHandleFree', 'InqObject', 'MgmtDelete']],
  '82273fdc-e32a-18c3-3f78-827929dc23ea/0': ['EVENTLOG', [
    'ClearEventLogW', 'BackupEventLogW', 'CloseEventLog', 'DeregisterEventSource', 'GetNumRecords', 'GetOldestRecord', 'ChangeNotify',
    'OpenEventLogW', 'RegisterEventSourceW', 'OpenBackupEventLogW', 'ReadEventLogW', 'ReportEventW', 'ClearEventLogA',
    'BackupEventLogA', 'OpenEventLogA', 'RegisterEventSourceA', 'OpenBackupEventLogA', 'ReadEventLogA', 'ReportEventA',
    'RegisterClusterSvc', 'DeregisterClusterSvc', 'WriteClusterEvents', 'GetLogIntormation', 'FlushEventLog'
  ]],
  '4d37f2dd-ed93-0000-02c0-37cf1e000000/4': ['FILEEXP', [
    'SetContext', 'LookupRoot', 'FetchData', 'FetchAcl', 'FetchStatus', 'StoreData', 'StoreAcl', 'StoreStatus', 'RemoveFile',
    'CreateFile', 'Rename', 'Symlink', 'HardLink', 'MakeDir', 'RemoveDir', 'Readdir', 'Lookup', 'GetToken', 'ReleaseTokens',
    'GetTime', 'MakeMountPoint', 'GetStatistics', 'BulkFetchVV', 'BulkKeepAlive', 'ProcessQuota', 'GetServerInterfaces', 'SetParams',
    'BulkFetchStatus'
  ]],
  '4d37f2dd-ed43-0000-02c0-37cf2e000001/4': ['FLDB', [
    'GetEntryByID', 'GetEntryByName', 'Probe', 'GetCellInfo', 'GetNextServersByID', 'GetNextServersByName', 'GetSiteInfo',
    'GetCEntryByID', 'GetCEntryByName', 'GetCNextServersByID', 'GetCNextServersByName', 'ExpandSiteCookie', 'GetServerInterfaces',
    'CreateEntry', 'DeleteEntry', 'GetNewVolumeId', 'ReplaceEntry', 'SetLock', 'ReleaseLock', 'ListEntry', 'ListByAttributes',
    'GetStats', 'AddAddress', 'RemoveAddress', 'ChangeAddress', 'GenerateSites', 'GetNewVolumeIds', 'CreateServer', 'AlterServer'
  ]],
  'd049b186-814f-11d1-9a3c-00c04fc9b232/1': ['FRSAPI', [
    'VerifyPromotion', 'PromotionStatus', 'StartDemotion', 'CommitDemotion', 'Set_DsPollingIntervalW', 'Get_DsPollingIntervalW',
    'VerifyPromotionW', 'InfoW', 'IsPathReplicated', 'WriterCommand'
  ]],
  'f5cc59b4-4264-101a-8c59-08002b2f8426/1': ['FRSRPC', [
    'FrsSendCommPkt', 'FrsVerifyPromotionParent', 'FrsStartPromotionParent', 'FrsNOP', 'FRSRPC_BACKUP_COMPLETE',
    'FRSRPC_BACKUP_COMPLETE_5', 'FRSRPC_BACKUP_COMPLETE_6', 'FRSRPC_BACKUP_COMPLETE_7', 'FRSRPC_BACKUP_COMPLETE_8',
    'FRSRPC_BACKUP_COMPLETE_9', 'FRSRPC_VERIFY_PROMOTION_PARENT_EX'
  ]],
  '897e2e5f-93f3-4376-9c9c-fd2277495c27/1': ['FRSTRANS', [
    'CheckConnectivity', 'EstablishConnection', 'EstablishSession', 'RequestUpdates', 'RequestVersionVector', 'AsyncPoll',
    'FRSTRANS_REQUEST_RECORDS', 'FRSTRANS_UPDATE_CANCEL', 'FRSTRANS_RAW_GET_FILE_DATA', 'FRSTRANS_RDC_GET_SIGNATURES',
    'FRSTRANS_RDC_PUSH_SOURCE_NEEDS', 'FRSTRANS_RDC_GET_FILE_DATA', 'FRSTRANS_RDC_CLOSE', 'InitializeFileTransferAsync',
    'FRSTRANS_OPNUM_0E_NOT_USED_ON_THE_WIRE', 'FRSTRANS_RAW_GET_FILE_DATA_ASYNC', 'FRSTRANS_RDC_GET_FILE_DATA_ASYNC'
  ]],
  'a8e0653c-2744-4389-a61d-7373df8b2292/1': ['FSRVP', [
    'GetSupportedVersion', 'SetContext', 'StartShadowCopySet', 'AddToShadowCopySet', 'CommitShadowCopySet', 'ExposeShadowCopySet',
    'RecoveryCompleteShadowCopySet', 'AbortShadowCopySet', 'IsPathSupported', 'IsPathShadowCopied', 'GetShareMapping',
    'DeleteShareMapping', 'PrepareShadowCopySet'
  ]],
  '4d37f2dd-ed43-0004-02c0-37cf1e000000/4': ['FTSERVER', [
    'CreateTrans', 'AbortTrans', 'DeleteTrans', 'CreateVolume', 'DeleteVolume', 'Dump', 'Restore', 'Forward', 'Clone', 'ReClone',
    'GetFlags', 'SetFlags', 'GetStatus', 'SetStatus', 'ListVolumes', 'ListAggregates', 'AggregateInfo', 'Monitor', 'GetOneVolStatus',
    'GetServerInterfaces', 'SwapIDs'
  ]],
  '003fd39c-7feb-1bbc-bebe-02608c2ef4d2/1': ['ICL_RPC', [
    'DFSTRACE_GetSetInfo', 'DFSTRACE_SetSetInfo', 'DFSTRACE_GetLogInfo', 'DFSTRACE_SetLogInfo', 'DFSTRACE_ClearSet',
    'DFSTRACE_ClearLog', 'DFSTRACE_DumpSet'
  ]],
  '00020400-0000-0000-c000-000000000046/0': ['IDispatch', [
    'QueryInterface', 'AddRef', 'Release', 'GetTypeInfoCount', 'GetTypeInfo', 'GetIDsOfNames', 'Invoke'
  ]],
  '894de0c0-0d55-11d3-a322-00c04fa321a1/1': ['INITSHUTDOWN', ['Init', 'Abort', 'InitEx']],
  '99fcfec4-5260-101b-bbcb-00aa0021347a/0': ['IOXIDResolver', [
    'ResolveOxid', 'SimplePing', 'ComplexPing', 'ServerAlive', 'ResolveOxid2', 'ServerAlive2'
  ]],
  'b196b283-bab4-101a-b69c-00aa00341d07/0': ['IProvideClassInfo', {3: 'GetClassInfo'}],
  '76f03f96-cdfd-44fc-a22c-64950a001209/1': ['IREMOTEWINSPOOL', [
    'winspool_AsyncOpenPrinter', 'winspool_AsyncAddPrinter', 'winspool_AsyncSetJob', 'winspool_AsyncGetJob', 'winspool_AsyncEnumJobs',
    'winspool_AsyncAddJob', 'winspool_AsyncScheduleJob', 'winspool_AsyncDeletePrinter', 'winspool_AsyncSetPrinter',
    'winspool_AsyncGetPrinter', 'winspool_AsyncStartDocPrinter', 'winspool_AsyncStartPagePrinter', 'winspool_AsyncWritePrinter',
    'winspool_AsyncEndPagePrinter', 'winspool_AsyncEndDocPrinter', 'winspool_AsyncAbortPrinter', 'winspool_AsyncGetPrinterData',
    'winspool_AsyncGetPrinterDataEx', 'winspool_AsyncSetPrinterData', 'winspool_AsyncSetPrinterDataEx', 'winspool_AsyncClosePrinter',
    'winspool_AsyncAddForm', 'winspool_AsyncDeleteForm', 'winspool_AsyncGetForm', 'winspool_AsyncSetForm', 'winspool_AsyncEnumForms',
    'winspool_AsyncGetPrinterDriver', 'winspool_AsyncEnumPrinterData', 'winspool_AsyncEnumPrinterDataEx',
    'winspool_AsyncEnumPrinterKey', 'winspool_AsyncDeletePrinterData', 'winspool_AsyncDeletePrinterDataEx',
    'winspool_AsyncDeletePrinterKey', 'winspool_AsyncXcvData', 'winspool_AsyncSendRecvBidiData', 'winspool_AsyncCreatePrinterIC',
    'winspool_AsyncPlayGdiScriptOnPrinterIC', 'winspool_AsyncDeletePrinterIC', 'winspool_AsyncEnumPrinters',
    'winspool_AsyncAddPrinterDriver', 'winspool_AsyncEnumPrinterDrivers', 'winspool_AsyncGetPrinterDriverDirectory',
    'winspool_AsyncDeletePrinterDriver', 'winspool_AsyncDeletePrinterDriverEx', 'winspool_AsyncAddPrintProcessor',
    'winspool_AsyncEnumPrintProcessors', 'winspool_AsyncGetPrintProcessorDirectory', 'winspool_AsyncEnumPorts',
    'winspool_AsyncEnumMonitors', 'winspool_AsyncAddPort', 'winspool_AsyncSetPort', 'winspool_AsyncAddMonitor',
    'winspool_AsyncDeleteMonitor', 'winspool_AsyncDeletePrintProcessor', 'winspool_AsyncEnumPrintProcessorDatatypes',
    'winspool_AsyncAddPerMachineConnection', 'winspool_AsyncDeletePerMachineConnection', 'winspool_AsyncEnumPerMachineConnections',
    'winspool_SyncRegisterForRemoteNotifications', 'winspool_SyncUnRegisterForRemoteNotifications',
    'winspool_SyncRefreshRemoteNotifications', 'winspool_AsyncGetRemoteNotifications',
    'winspool_AsyncInstallPrinterDriverFromPackage', 'winspool_AsyncUploadPrinterDriverPackage',
    'winspool_AsyncGetCorePrinterDrivers', 'winspool_AsyncCorePrinterDriverInstalled', 'winspool_AsyncGetPrinterDriverPackagePath',
    'winspool_AsyncDeletePrinterDriverPackage', 'winspool_AsyncReadPrinter', 'winspool_AsyncResetPrinter',
    'winspool_AsyncGetJobNamedPropertyValue', 'winspool_AsyncSetJobNamedProperty', 'winspool_AsyncDeleteJobNamedProperty',
    'winspool_AsyncEnumJobNamedProperties', 'winspool_AsyncLogJobInfoForBranchOffice'
  ]],
  '00000131-0000-0000-c000-000000000046/0': ['IRemUnknown', [
    'QueryInterface', 'AddRef', 'Release', 'RemQueryInterface', 'RemAddRef', 'RemRelease'
  ]],
  '00000143-0000-0000-c000-000000000046/0': ['IRemUnknown2', [
    'QueryInterface', 'AddRef', 'Release', 'RemQueryInterface', 'RemAddRef', 'RemRelease', 'RemQueryInterface2'
  ]],
  '000001a0-0000-0000-c000-000000000046/0': ['ISystemActivator', [
    'QueryInterfaceIRemoteSCMActivator', 'AddRefIRemoteISCMActivator', 'ReleaseIRemoteISCMActivator', 'RemoteGetClassObject',
    'RemoteCreateInstance'
  ]],
  '00020401-0000-0000-c000-000000000046/0': ['ITypeInfo', {
    3: 'GetTypeAttr', 4: 'GetTypeComp', 5: 'GetFuncDesc', 6: 'GetVarDesc', 7: 'GetNames', 8: 'GetRefTypeOfImplType', 9:
    'GetImplTypeFlags', 12: 'GetDocumentation', 13: 'GetDllEntry', 14: 'GetRefTypeInfo', 16: 'CreateInstance', 17: 'GetMops', 18:
    'GetContainingTypeLib'
  }],
  '8f73de50-768c-11ca-bffc-08001e039431/1': ['KRB5RPC', ['rsec_krb5rpc_sendto_kdc']],
  '333b33c3-0000-0000-0d00-008784000000/4': ['llb', ['insert', 'delete', 'lookup']],
  '12345778-1234-abcd-ef00-0123456789ab/0': ['LSARPC', [
    'lsa_Close', 'lsa_Delete', 'lsa_EnumPrivs', 'lsa_QuerySecurity', 'lsa_SetSecObj', 'lsa_ChangePassword', 'lsa_OpenPolicy',
    'lsa_QueryInfoPolicy', 'lsa_SetInfoPolicy', 'lsa_ClearAuditLog', 'lsa_CreateAccount', 'lsa_EnumAccounts',
    'lsa_CreateTrustedDomain', 'lsa_EnumTrustDom', 'lsa_LookupNames', 'lsa_LookupSids', 'lsa_CreateSecret', 'lsa_OpenAccount',
    'lsa_EnumPrivsAccount', 'lsa_AddPrivilegesToAccount', 'lsa_RemovePrivilegesFromAccount', 'lsa_GetQuotasForAccount',
    'lsa_SetQuotasForAccount', 'lsa_GetSystemAccessAccount', 'lsa_SetSystemAccessAccount', 'lsa_OpenTrustedDomain',
    'lsa_QueryTrustedDomainInfo', 'lsa_SetInformationTrustedDomain', 'lsa_OpenSecret', 'lsa_SetSecret', 'lsa_QuerySecret',
    'lsa_LookupPrivValue', 'lsa_LookupPrivName', 'lsa_LookupPrivDisplayName', 'lsa_DeleteObject', 'lsa_EnumAccountsWithUserRight',
    'lsa_EnumAccountRights', 'lsa_AddAccountRights', 'lsa_RemoveAccountRights', 'lsa_QueryTrustedDomainInfoBySid',
    'lsa_SetTrustedDomainInfo', 'lsa_DeleteTrustedDomain', 'lsa_StorePrivateData', 'lsa_RetrievePrivateData', 'lsa_OpenPolicy2',
    'lsa_GetUserName', 'lsa_QueryInfoPolicy2', 'lsa_SetInfoPolicy2', 'lsa_QueryTrustedDomainInfoByName',
    'lsa_SetTrustedDomainInfoByName', 'lsa_EnumTrustedDomainsEx', 'lsa_CreateTrustedDomainEx', 'lsa_CloseTrustedDomainEx',
    'lsa_QueryDomainInformationPolicy', 'lsa_SetDomainInformationPolicy', 'lsa_OpenTrustedDomainByName', 'lsa_TestCall',
    'lsa_LookupSids2', 'lsa_LookupNames2', 'lsa_CreateTrustedDomainEx2', 'lsa_CREDRWRITE', 'lsa_CREDRREAD', 'lsa_CREDRENUMERATE',
    'lsa_CREDRWRITEDOMAINCREDENTIALS', 'lsa_CREDRREADDOMAINCREDENTIALS', 'lsa_CREDRDELETE', 'lsa_CREDRGETTARGETINFO',
    'lsa_CREDRPROFILELOADED', 'lsa_LookupNames3', 'lsa_CREDRGETSESSIONTYPES', 'lsa_LSARREGISTERAUDITEVENT', 'lsa_LSARGENAUDITEVENT',
    'lsa_LSARUNREGISTERAUDITEVENT', 'lsa_lsaRQueryForestTrustInformation', 'lsa_LSARSETFORESTTRUSTINFORMATION', 'lsa_CREDRRENAME',
    'lsa_LookupSids3', 'lsa_LookupNames4', 'lsa_LSAROPENPOLICYSCE', 'lsa_LSARADTREGISTERSECURITYEVENTSOURCE',
    'lsa_LSARADTUNREGISTERSECURITYEVENTSOURCE', 'lsa_LSARADTREPORTSECURITYEVENT'
  ]],
  'a4f1db00-ca47-1067-b31f-00dd010662da/0': ['MAPI', [
    'EcDoConnect', 'EcDoDisconnect', 'EcDoRpc', 'EcGetMoreRpc', 'EcRRegisterPushNotification', 'EcRUnregisterPushNotification',
    'EcDummyRpc', 'EcRGetDCName', 'EcRNetGetDCName', 'EcDoRpcExt'
  ]],
  '885d85fb-c754-4062-a0e7-6872ce0064f4/2': ['MDSSVC', ['open', 'unknown1', 'cmd', 'close']],
  '5a7b91f8-ff00-11d0-a9b2-00c04fb6e6fc/1': ['Messenger', ['NetrSendMessage']],
  'afa8bd80-7d8a-11c9-bef4-08002b102989/1': ['MGMT', [
    'rpc__mgmt_inq_if_ids', 'rpc__mgmt_inq_stats', 'rpc__mgmt_is_server_listening', 'rpc__mgmt_stop_server_listening',
    'rpc__mgmt_inq_princ_name'
  ]],
  '12345678-1234-1234-1234-abcdef123456/1': ['MISC', []],
  '4fc742e0-4a10-11cf-8273-00aa004ae673/3': ['NETDFS', [
    'dfs_GetManagerVersion', 'dfs_Add', 'dfs_Remove', 'dfs_SetInfo', 'dfs_GetInfo', 'dfs_Enum', 'dfs_Rename', 'dfs_Move',
    'dfs_ManagerGetConfigInfo', 'dfs_ManagerSendSiteInfo', 'dfs_AddFtRoot', 'dfs_RemoveFtRoot', 'dfs_AddStdRoot', 'dfs_RemoveStdRoot',
    'dfs_ManagerInitialize', 'dfs_AddStdRootForced', 'dfs_GetDcAddress', 'dfs_SetDcAddress', 'dfs_FlushFtTable', 'dfs_Add2',
    'dfs_Remove2', 'dfs_EnumEx', 'dfs_SetInfo2'
  ]],
  'f5cc5a18-4264-101a-8c59-08002b2f8426/56': ['NSPI', [
    'NspiBind', 'NspiUnbind', 'NspiUpdateStat', 'NspiQueryRows', 'NspiSeekEntries', 'NspiGetMatches', 'NspiResortRestriction',
    'NspiDNToEph', 'NspiGetPropList', 'NspiGetProps', 'NspiCompareDNTs', 'NspiModProps', 'NspiGetHierarchyInfo',
    'NspiGetTemplateInfo', 'NspiModLInkAtt', 'NspiDeleteEntries', 'NspiQueryColumns', 'NspiGetNamesFromIDs', 'NspiGetIDsFromNames',
    'NspiResolveNames', 'NspiResolveNamesW'
  ]],
  '8d9f4e40-a03d-11ce-8f69-08003e30051b/1': ['PNP', [
    'PNP_Disconnect', 'PNP_Connect', 'PNP_GetVersion', 'PNP_GetGlobalState', 'PNP_InitDetection', 'PNP_ReportLogOn',
    'PNP_ValidateDeviceInstance', 'PNP_GetRootDeviceInstance', 'PNP_GetRelatedDeviceInstance', 'PNP_EnumerateSubKeys',
    'PNP_GetDeviceList', 'PNP_GetDeviceListSize', 'PNP_GetDepth', 'PNP_GetDeviceRegProp', 'PNP_SetDeviceRegProp',
    'PNP_GetClassInstance', 'PNP_CreateKey', 'PNP_DeleteRegistryKey', 'PNP_GetClassCount', 'PNP_GetClassName', 'PNP_DeleteClassKey',
    'PNP_GetInterfaceDeviceAlias', 'PNP_GetInterfaceDeviceList', 'PNP_GetInterfaceDeviceListSize',
    'PNP_RegisterDeviceClassAssociation', 'PNP_UnregisterDeviceClassAssociation', 'PNP_GetClassRegProp', 'PNP_SetClassRegProp',
    'PNP_CreateDevInst', 'PNP_DeviceInstanceAction', 'PNP_GetDeviceStatus', 'PNP_SetDeviceProblem', 'PNP_DisableDevInst',
    'PNP_UninstallDevInst', 'PNP_AddID', 'PNP_RegisterDriver', 'PNP_QueryRemove', 'PNP_RequestDeviceEject',
    'PNP_IsDockStationPresent', 'PNP_RequestEjectPC', 'PNP_HwProfFlags', 'PNP_GetHwProfInfo', 'PNP_AddEmptyLogConf',
    'PNP_FreeLogConf', 'PNP_GetFirstLogConf', 'PNP_GetNextLogConf', 'PNP_GetLogConfPriority', 'PNP_AddResDes', 'PNP_FreeResDes',
    'PNP_GetNextResDes', 'PNP_GetResDesData', 'PNP_GetResDesDataSize', 'PNP_ModifyResDes', 'PNP_DetectResourceConflict',
    'PNP_QueryResConfList', 'PNP_SetHwProf', 'PNP_QueryArbitratorFreeData', 'PNP_QueryArbitratorFreeSize', 'PNP_RunDetection',
    'PNP_RegisterNotification', 'PNP_UnregisterNotification', 'PNP_GetCustomDevProp', 'PNP_GetVersionInternal',
    'PNP_GetBlockedDriverInfo', 'PNP_GetServerSideDeviceInstallFlags', 'PNP_GetObjectPropKeys', 'PNP_GetObjectProp',
    'PNP_SetObjectProp', 'PNP_InstallDevInst', 'PNP_ApplyPowerSettings', 'PNP_DriverStoreAddDriverPackage',
    'PNP_DriverStoreDeleteDriverPackage', 'PNP_RegisterServiceNotification', 'PNP_SetActiveService', 'PNP_DeleteServiceDevices'
  ]],
  '47b33331-8000-0000-0d00-01dc6c000000/1': ['rdaclif', [
    'lookup', 'replace', 'get_access', 'test_access', 'test_access_on_behalf', 'get_manager_types', 'get_printstring', 'get_referral',
    'get_mgr_types_semantics'
  ]],
  '4d9f4ab8-7d1c-11cf-861e-0020af6e7c57/0': ['REMACT', ['RemoteActivation']],
  '4d37f2dd-ed43-0005-02c0-37cf1e000000/4': ['REP_PROC', [
    'CheckReplicationConfig', 'AllCheckReplicationConfig', 'KeepFilesAlive', 'GetVolChangedFiles', 'GetRepStatus',
    'GetRepServerStatus', 'UpdateSelf', 'Probe', 'GetOneRepStatus', 'GetServerInterfaces'
  ]],
  '1544f5e0-613c-11d1-93df-00c04fd7bd09/1': ['RFR', ['RfrGetNewDSA', 'RfrGetFQDNFromLegacyDN']],
  '5d978990-4851-11ca-9937-08001e039448/1': ['roverride', [
    'roverride_get_login_info', 'roverride_check_passwd', 'roverride_is_passwd_overridden', 'roverride_get_by_unix_num',
    'roverride_get_group_info', 'roverride_check_group_passwd', 'roverride_is_grp_pwd_overridden'
  ]],
  '6bffd098-a112-3610-9833-012892020162/0': ['RPC_BROWSER', [
    'BrowserrServerEnum', 'BrowserrDebugCall', 'BrowserrQueryOtherDomains', 'BrowserrResetNetlogonState', 'BrowserrDebugTrace',
    'BrowserrQueryStatistics', 'BrowserrResetStatistics', 'NetrBrowserStatisticsClear', 'NetrBrowserStatisticsGet',
    'BrowserrSetNetlogonState', 'BrowserrQueryEmulatedDomains', 'BrowserrServerEnumEx'
  ]],
  '12345678-1234-abcd-ef00-01234567cffb/1': ['RPC_NETLOGON', [
    'NetrLogonUasLogon', 'NetrLogonUasLogoff', 'NetrLogonSamLogon', 'NetrLogonSamLogoff', 'NetrServerReqChallenge',
    'NetrServerAuthenticate', 'NetrServerPasswordSet', 'NetrDatabaseDeltas', 'NetrDatabaseSync', 'NetrAccountDeltas',
    'NetrAccountSync', 'NetrGetDCName', 'NetrLogonControl', 'NetrGetAnyDCName', 'NetrLogonControl2', 'NetrServerAuthenticate2',
    'NetrDatabaseSync2', 'NetrDatabaseRedo', 'NetrLogonControl2Ex', 'NetrEnumerateTrustedDomains', 'DsrGetDcName',
    'NetrLogonDummyRoutine1', 'NetrLogonSetServiceBits', 'NetrLogonGetTrustRid', 'NetrLogonComputeServerDigest',
    'NetrLogonComputeClientDigest', 'NetrServerAuthenticate3', 'DsrGetDcNameEx', 'DsrGetSiteName', 'NetrLogonGetDomainInfo',
    'NetrServerPasswordSet2', 'NetrServerPasswordGet', 'NetrLogonSendToSam', 'DsrAddressToSiteNamesW', 'DsrGetDcNameEx2',
    'NetrLogonGetTimeServiceParentDomain', 'NetrEnumerateTrustedDomainsEx', 'DsrAddressToSiteNamesExW', 'DsrGetDcSiteCoverageW',
    'NetrLogonSamLogonEx', 'DsrEnumerateDomainTrusts', 'DsrDeregisterDnsHostRecords', 'NetrServerTrustPasswordsGet',
    'DsrGetForestTrustInformation', 'NetrGetForestTrustInformation', 'NetrLogonSamLogonWithFlags', 'NetrServerGetTrustInfo'
  ]],
  'b1e338f8-9533-11c9-a34a-08001e019c1e/1': ['rpriv', ['get_ptgt', 'become_delegate', 'become_impersonator', 'get_eptgt']],
  '8f09f000-b7ed-11ce-bbd2-00001a181cad/0': ['RRAS', [
    'MprAdminServerGetInfo', 'RasAdminConnectionEnum', 'RasAdminConnectionGetInfo', 'RasAdminConnectionClearStats',
    'RasAdminPortEnum', 'RasAdminPortGetInfo', 'RasAdminPortClearStats', 'RasAdminPortReset', 'RasAdminPortDisconnect',
    'RouterInterfaceTransportSetGlobalInfo', 'RouterInterfaceTransportGetGlobalInfo', 'RouterInterfaceGetHandle',
    'RouterInterfaceCreate', 'RouterInterfaceGetInfo', 'RouterInterfaceSetInfo', 'RouterInterfaceDelete',
    'RouterInterfaceTransportRemove', 'RouterInterfaceTransportAdd', 'RouterInterfaceTransportGetInfo',
    'RouterInterfaceTransportSetInfo', 'RouterInterfaceEnum', 'RouterInterfaceConnect', 'RouterInterfaceDisconnect',
    'RouterInterfaceUpdateRoutes', 'RouterInterfaceQueryUpdateResult', 'RouterInterfaceUpdatePhonebookInfo', 'MIBEntryCreate',
    'MIBEntryDelete', 'MIBEntrySet', 'MIBEntryGet', 'MIBEntryGetFirst', 'MIBEntryGetNext', 'MIBGetTrapInfo', 'MIBSetTrapInfo',
    'RasAdminConnectionNotification', 'RasAdminSendUserMessage', 'RouterDeviceEnum', 'RouterInterfaceTransportCreate',
    'RouterInterfaceDeviceGetInfo', 'RouterInterfaceDeviceSetInfo', 'RouterInterfaceSetCredentialsEx',
    'RouterInterfaceGetCredentialsEx', 'RasAdminConnectionRemoveQuarantine'
  ]],
  '4c878280-2000-0000-0d00-028714000000/1': ['RS_ACCT', ['add', 'delete', 'rename', 'lookup', 'replace', 'get_projlist']],
  'a71fc1e8-567f-11cb-98a0-08001e04de8c/0': ['RS_ATTR', [
    'rs_attr_cursor_init', 'rs_attr_lookup_by_id', 'rs_attr_lookup_no_expand', 'rs_attr_lookup_by_name', 'rs_attr_update',
    'rs_attr_test_and_update', 'rs_attr_delete', 'rs_attr_get_referral', 'rs_attr_get_effective'
  ]],
  'b47c9460-567f-11cb-8c09-08001e04de8c/0': ['rs_attr_schema', [
    'create_entry', 'delete_entry', 'update_entry', 'cursor_init', 'scan', 'lookup_by_name', 'lookup_by_id', 'get_referral',
    'get_acl_mgrs', 'aclmgr_strings'
  ]],
  'd46113d0-a848-11cb-b863-08001e046aa5/2': ['RS_BIND', ['get_update_site']],
  '4c878280-5000-0000-0d00-028714000000/1': ['rs_misc', ['login_get_info', 'wait_until_consistent', 'check_consistency']],
  '4c878280-3000-0000-0d00-028714000000/1': ['RS_PGO', [
    'add', 'delete', 'replace', 'rename', 'get', 'key_transfer', 'add_member', 'delete_member', 'is_member', 'get_members'
  ]],
  '4c878280-4000-0000-0d00-028714000000/1': ['RS_PLCY', [
    'rs_properties_get_info', 'rs_properties_set_info ', 'rs_policy_get_info', 'rs_policy_set_info', 'rs_policy_get_effective',
    'rs_policy_get_override_info', 'rs_policy_set_override_info', 'rs_auth_policy_get_info', 'rs_auth_policy_get_effective',
    'rs_auth_policy_set_info'
  ]],
  '68097130-de43-11ca-a554-08001e0394c7/1': ['rs_prop_acct', [
    'rs_prop_acct_add', 'rs_prop_acct_delete', 'rs_prop_acct_rename', 'rs_prop_acct_replace', 'rs_prop_acct_add_key_version'
  ]],
  '591d87d0-de64-11ca-a11c-08001e0394c7/1': ['rs_prop_acl', ['replace']],
  '0eff23e6-555a-11cd-95bf-0800092784c3/1': ['rs_prop_attr', ['update', 'delete']],
  'c23626e8-de34-11ca-8cbc-08001e0394c7/1': ['rs_prop_pgo', [
    'add', 'rename', 'replace', 'add_member', 'delete_member', 'add_member_global'
  ]],
  'e6ac5cb8-de3e-11ca-9376-08001e0394c7/1': ['rs_prop_plcy', [
    'rs_prop_properties_set_info', 'rs_prop_plcy_set_info', 'rs_prop_auth_plcy_set_info', 'rs_prop_plcy_set_dom_cache_info'
  ]],
  '3139a0e2-68da-11cd-91c7-080009242444/1': ['rs_pwd_mgmt', [
    'lookup', 'replace', 'get_access', 'test_access', 'test_access_on_behalf', 'get_manager_types', 'get_printstring', 'get_referral',
    'get_mgr_types_semantics'
  ]],
  '5b8c2fa8-b60b-11c9-be0f-08001e018fa0/1': ['RS_REPADM', [
    'stop', 'maint', 'mkey', 'info', 'info_full', 'destroy', 'init_replica', 'change_master', 'become_master', 'become_slave',
    'set_sw_rev', 'get_sw_vers_info'
  ]],
  '850446b0-e95b-11ca-ad90-08001e0145b1/2': ['RS_REPLIST', [
    'rs_replist_add_replica', 'rs_replist_replace_replica', 'rs_replist_delete_replica', 'rs_replist_read', 'rs_replist_read_full',
    'rs_replist_add_replica', 'rs_replist_replace_replica', 'rs_replist_delete_replica', 'rs_replist_read', 'rs_replist_read_full'
  ]],
  'b62dc198-dfd4-11ca-948f-08001e02594c/2': ['rs_repmgr', [
    'get_info_and_creds', 'init', 'init_done', 'i_am_slave', 'i_am_master', 'become_master', 'copy_all', 'copy_propq',
    'stop_until_compat_sw'
  ]],
  '361993c0-b000-0000-0d00-008784000000/1': ['RS_UNIX', ['getpwents']],
  'a76e832a-10df-11cd-9056-080009242444/2': ['rsec_login', ['rsec_login_get_trusted_preauth']],
  '12345778-1234-abcd-ef00-0123456789ac/1': ['SAMR', [
    'Connect', 'Close', 'SetSecurity', 'QuerySecurity', 'Shutdown', 'LookupDomain', 'EnumDomains', 'OpenDomain', 'QueryDomainInfo',
    'SetDomainInfo', 'CreateDomainGroup', 'EnumDomainGroups', 'CreateUser', 'EnumDomainUsers', 'CreateDomAlias', 'EnumDomainAliases',
    'GetAliasMembership', 'LookupNames', 'LookupRids', 'OpenGroup', 'QueryGroupInfo', 'SetGroupInfo', 'AddGroupMember',
    'DeleteDomainGroup', 'DeleteGroupMember', 'QueryGroupMember', 'SetMemberAttributesOfGroup', 'OpenAlias', 'QueryAliasInfo',
    'SetAliasInfo', 'DeleteDomAlias', 'AddAliasMember', 'DeleteAliasMember', 'GetMembersInAlias', 'OpenUser', 'DeleteUser',
    'QueryUserInfo', 'SetUserInfo', 'ChangePasswordUser', 'GetGroupsForUser', 'QueryDisplayInfo', 'GetDisplayEnumerationIndex',
    'TestPrivateFunctionsDomain', 'TestPrivateFunctionsUser', 'GetUserPwInfo', 'RemoveMemberFromForeignDomain', 'QueryDomainInfo2',
    'QueryUserInfo2', 'QueryDisplayInfo2', 'GetDisplayEnumerationIndex2', 'CreateUser2', 'QueryDisplayInfo3',
    'AddMultipleMembersToAlias', 'RemoveMultipleMembersFromAlias', 'OemChangePasswordUser2', 'ChangePasswordUser2', 'GetDomPwInfo',
    'Connect2', 'SetUserInfo2', 'SetBootKeyInformation', 'GetBootKeyInformation', 'Connect3', 'Connect4', 'ChangePasswordUser3',
    'Connect5', 'RidToSid', 'SetDsrmPassword', 'ValidatePassword'
  ]],
  '0d7c1e50-113a-11ca-b71f-08001e01dc6c/1': ['SECIDMAP', ['parse_name', 'gen_name', 'avoid_cn_bug', 'parse_name_cache', 'gen_name_cache']],
  '12345678-1234-abcd-ef00-0123456789ab/1': ['SPOOLSS', {
    0: 'EnumPrinters', 1: 'OpenPrinter', 2: 'SetJob', 3: 'GetJob', 4: 'EnumJobs', 5: 'AddPrinter', 6: 'DeletePrinter', 7:
    'SetPrinter', 8: 'GetPrinter', 9: 'AddPrinterDriver', 10: 'EnumPrinterDrivers', 11: 'GetPrinterDriver', 12:
    'GetPrinterDriverDirectory', 13: 'DeletePrinterDriver', 14: 'AddPrintProcessor', 15: 'EnumPrintProcessor', 16:
    'GetPrintProcessorDirectory', 17: 'StartDocPrinter', 18: 'StartPagePrinter', 19: 'WritePrinter', 20: 'EndPagePrinter', 21:
    'AbortPrinter', 22: 'ReadPrinter', 23: 'EndDocPrinter', 24: 'AddJob', 25: 'ScheduleJob', 26: 'GetPrinterData', 27:
    'SetPrinterData', 28: 'WaitForPrinterChange', 29: 'ClosePrinter', 30: 'AddForm', 31: 'DeleteForm', 32: 'GetForm', 33: 'SetForm',
    34: 'EnumForms', 35: 'EnumPorts', 36: 'EnumMonitors', 37: 'AddPort', 38: 'ConfigurePort', 39: 'DeletePort', 40: 'CreatePrinterIC',
    41: 'PlayDiscriptOnPrinterIC', 42: 'DeletePrinterIC', 43: 'AddPrinterConnection', 44: 'DeletePrinterConnection', 45:
    'PrinterMessageBox', 46: 'AddMonitor', 47: 'DeleteMonitor', 48: 'DeletePrintProcessor', 49: 'AddPrintProvider', 50:
    'DeletePrintProvider', 51: 'EnumPrintProcDataTypes', 52: 'ResetPrinter', 53: 'GetPrinterDriver2', 54:
    'FindFirstPrinterChangeNotification', 55: 'FindNextPrinterChangeNotification', 56: 'FCPN', 57:
    'RouterFindFirstPrinterNotificationOld', 58: 'ReplyOpenPrinter', 59: 'RouterReplyPrinter', 60: 'ReplyClosePrinter', 61:
    'AddPortEx', 62: 'RemoteFindFirstPrinterChangeNotification', 63: 'SpoolerInit', 64: 'ResetPrinterEx', 65: 'RFFPCNEX', 66: 'RRPCN',
    67: 'RFNPCNEX', 69: 'OpenPrinterEx', 70: 'AddPrinterEx', 72: 'EnumPrinterData', 73: 'DeletePrinterData', 77: 'SetPrinterDataEx',
    78: 'GetPrinterDataEx', 79: 'EnumPrinterDataEx', 80: 'EnumPrinterKey', 81: 'DeletePrinterDataEx', 84: 'DeletePrinterDriverEx', 89:
    'AddPrinterDriverEx', 102: 'GetCorePrinterDrivers', 104: 'GetPrinterDriverPackagePath'
  }],
  '4b324fc8-1670-01d3-1278-5a47bf6ee188/3': ['SRVSVC', [
    'NetCharDevEnum', 'NetCharDevGetInfo', 'NetCharDevControl', 'NetCharDevQEnum', 'NetCharDevQGetInfo', 'NetCharDevQSetInfo',
    'NetCharDevQPurge', 'NetCharDevQPurgeSelf', 'NetConnEnum', 'NetFileEnum', 'NetFileGetInfo', 'NetFileClose', 'NetSessEnum',
    'NetSessDel', 'NetShareAdd', 'NetShareEnumAll', 'NetShareGetInfo', 'NetShareSetInfo', 'NetShareDel', 'NetShareDelSticky',
    'NetShareCheck', 'NetSrvGetInfo', 'NetSrvSetInfo', 'NetDiskEnum', 'NetServerStatisticsGet', 'NetTransportAdd', 'NetTransportEnum',
    'NetTransportDel', 'NetRemoteTOD', 'NetSetServiceBits', 'NetPathType', 'NetPathCanonicalize', 'NetPathCompare', 'NetNameValidate',
    'NETRPRNAMECANONICALIZE', 'NetPRNameCompare', 'NetShareEnum', 'NetShareDelStart', 'NetShareDelCommit', 'NetGetFileSecurity',
    'NetSetFileSecurity', 'NetServerTransportAddEx', 'NetServerSetServiceBitsEx', 'NETRDFSGETVERSION', 'NETRDFSCREATELOCALPARTITION',
    'NETRDFSDELETELOCALPARTITION', 'NETRDFSSETLOCALVOLUMESTATE', 'NETRDFSSETSERVERINFO', 'NETRDFSCREATEEXITPOINT',
    'NETRDFSDELETEEXITPOINT', 'NETRDFSMODIFYPREFIX', 'NETRDFSFIXLOCALVOLUME', 'NETRDFSMANAGERREPORTSITEINFO',
    'NETRSERVERTRANSPORTDELEX'
  ]],
  '367abb81-9844-35f1-ad32-98f038001003/2': ['SVCCTL', [
    'CloseServiceHandle', 'ControlService', 'DeleteService', 'LockServiceDatabase', 'QueryServiceObjectSecurity',
    'SetServiceObjectSecurity', 'QueryServiceStatus', 'SetServiceStatus', 'UnlockServiceDatabase', 'NotifyBootConfigStatus',
    'ScSetServiceBitsW', 'ChangeServiceConfigW', 'CreateServiceW', 'EnumDependentServicesW', 'EnumServicesStatusW', 'OpenSCManagerW',
    'OpenServiceW', 'QueryServiceConfigW', 'QueryServiceLockStatusW', 'StartServiceW', 'GetServiceDisplayNameW', 'GetServiceKeyNameW',
    'ScSetServiceBitsA', 'ChangeServiceConfigA', 'CreateServiceA', 'EnumDependentServicesA', 'EnumServicesStatusA', 'OpenSCManagerA',
    'OpenServiceA', 'QueryServiceConfigA', 'QueryServiceLockStatusA', 'StartServiceA', 'GetServiceDisplayNameA', 'GetServiceKeyNameA',
    'ScGetCurrentGroupStateW', 'EnumServiceGroupW', 'ChangeServiceConfig2A', 'ChangeServiceConfig2W', 'QueryServiceConfig2A',
    'QueryServiceConfig2W', 'QueryServiceStatusEx', 'EnumServicesStatusExA', 'EnumServicesStatusExW', 'ScSendTSMessage'
  ]],
  '2f5f6520-ca46-1067-b319-00dd010662da/1': ['TAPI', ['ClientAttach', 'ClientRequest', 'ClientDetach']],
  '86d35949-83c9-4044-b424-db363231fd0c/1': ['TaskSchedulerService', [
    'SchRpcHighestVersion', 'SchRpcRegisterTask', 'SchRpcRetrieveTask', 'SchRpcCreateFolder', 'SchRpcSetSecurity',
    'SchRpcGetSecurity', 'SchRpcEnumFolders', 'SchRpcEnumTasks', 'SchRpcEnumInstances', 'SchRpcGetInstanceInfo', 'SchRpcStopInstance',
    'SchRpcStop', 'SchRpcRun', 'SchRpcDelete', 'SchRpcRename', 'SchRpcScheduledRuntimes', 'SchRpcGetLastRunInfo', 'SchRpcGetTaskInfo',
    'SchRpcGetNumberOfMissedRuns', 'SchRpcEnableTask'
  ]],
  '4d37f2dd-ed96-0000-02c0-37cf1e000000/4': ['TKN4Int', [
    'Probe', 'InitTokenState', 'TokenRevoke', 'GetCellName', 'GetLock', 'GetCE', 'GetServerInterfaces', 'SetParams', 'AsyncGrant'
  ]],
  '4da1c422-943d-11d1-acae-00c04fc2aa3f/1': ['TRKSVR', ['LnkSvrMessage']],
  '4d37f2dd-ed43-0002-02c0-37cf1e000000/4': ['UBIKDISK', [
    'Begin', 'Commit', 'Lock', 'Write', 'GetVersion', 'GetFile', 'SendFile', 'Abort', 'ReleaseLocks', 'Truncate', 'Probe',
    'GetServerInterfaces', 'BulkUpdate'
  ]],
  '4d37f2dd-ed43-0003-02c0-37cf1e000000/4': ['UBIKVOTE', [
    'Beacon', 'Debug', 'SDebug', 'GetServerInterfaces', 'GetSyncSite', 'DebugV2', 'SDebugV2', 'GetSyncSiteIdentity'
  ]],
  '338cd001-2244-31f1-aaaa-900038001003/1': ['WINREG', [
    'OpenHKCR', 'OpenHKCU', 'OpenHKLM', 'OpenHKPD', 'OpenHKU', 'CloseKey', 'CreateKey', 'DeleteKey', 'DeleteValue', 'EnumKey',
    'EnumValue', 'FlushKey', 'GetKeySecurity', 'LoadKey', 'NotifyChangeKeyValue', 'OpenKey', 'QueryInfoKey', 'QueryValue',
    'ReplaceKey', 'RestoreKey', 'SaveKey', 'SetKeySecurity', 'SetValue', 'UnLoadKey', 'InitiateSystemShutdown', 'AbortSystemShutdown',
    'GetVersion', 'OpenHKCC', 'OpenHKDD', 'QueryMultipleValues', 'InitiateSystemShutdownEx', 'SaveKeyEx', 'OpenHKPT', 'OpenHKPN',
    'QueryMultipleValues2', 'DeleteKeyEx'
  ]],
  'ccd8c074-d0e5-4a40-92b4-d074faa6ba28/1': ['WITNESS', ['GetInterfaceList', 'Register', 'UnRegister', 'AsyncNotify', 'RegisterEx']],
  '6bffd098-a112-3610-9833-46c3f87e345a/1': ['WKSSVC', [
    'NetWkstaGetInfo', 'NetWkstaSetInfo', 'NetWkstaEnumUsers', 'NetrWkstaUserGetInfo', 'NetrWkstaUserSetInfo',
    'NetWkstaTransportEnum', 'NetrWkstaTransportAdd', 'NetrWkstaTransportDel', 'NetrUseAdd', 'NetrUseGetInfo', 'NetrUseDel',
    'NetrUseEnum', 'NetrMessageBufferSend', 'NetrWorkstationStatisticsGet', 'NetrLogonDomainNameAdd', 'NetrLogonDomainNameDel',
    'NetrJoinDomain', 'NetrUnjoinDomain', 'NetrRenameMachineInDomain', 'NetrValidateName', 'NetrGetJoinInformation',
    'NetrGetJoinableOus', 'NetrJoinDomain2', 'NetrUnjoinDomain2', 'NetrRenameMachineInDomain2', 'NetrValidateName2',
    'NetrGetJoinableOus2', 'NetrAddAlternateComputerName', 'NetrRemoveAlternateComputerName', 'NetrSetPrimaryComputername',
    'NetrEnumerateComputerNames'
  ]],
  '621dff68-3c39-4c6c-aae3-e68e2c6503ad/1': ['WZCSVC', [
    'EnumInterfaces', 'QueryInterface', 'SetInterface', 'RefreshInterface', 'QueryContext', 'SetContext', 'EapolUIResponse',
    'EapolGetCustomAuthData', 'EapolSetCustomAuthData', 'EapolGetInterfaceParams', 'EapolSetInterfaceParams',
    'EapolReAuthenticateInterface', 'EapolQueryInterfaceState', 'OpenWZCDbLogSession', 'CloseWZCDbLogSession', 'EnumWZCDbLogRecords',
    'FlushWZCdbLog', 'GetWZCDbLogRecord'
  ]],
};
